import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  changePassword,
  eventsFor,
  parseSetCookie,
  post,
  sessionCookie,
  signin,
  signup,
  tokenOf,
  tokenUser,
  whoAmI,
  type ErrorBody,
  type UserBody,
} from "./client";

const OLD = "the old password";
const NEW = "a brand new password";

/** An account signed in on three browsers: the one that signed up and two more. */
async function threeBrowsers(prefix: string) {
  const email = `${prefix}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const first = await signup(email, OLD);
  const user = await first.json<UserBody>();
  const here = sessionCookie(first);
  const others = [sessionCookie(await signin(email, OLD)), sessionCookie(await signin(email, OLD))];
  return { ...user, here, others };
}

describe("POST /api/users/currentuser/password", () => {
  it("answers 200 {} with a fresh session cookie that works", async () => {
    const me = await threeBrowsers("fresh");
    const res = await changePassword({ currentPassword: OLD, newPassword: NEW }, me.here);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(res.headers.get("cache-control")).toBe("no-store");
    const cookie = parseSetCookie(res)!;
    expect(cookie.name).toBe("session");
    expect(cookie.attributes.has("httponly")).toBe(true);
    const fresh = sessionCookie(res);
    expect(fresh).not.toBe(me.here);
    expect(tokenUser(res).sessionId).not.toBe(tokenOf(me.here).sessionId);
    expect((await whoAmI(fresh))!.id).toBe(me.id);
  });

  it("ends every other session of the account at once, and this browser's old one", async () => {
    const me = await threeBrowsers("ends");
    const stranger = sessionCookie(await signup(`stranger-${crypto.randomUUID().slice(0, 8)}@example.com`));
    for (const cookie of [me.here, ...me.others]) expect(await whoAmI(cookie)).not.toBeNull();
    const res = await changePassword({ currentPassword: OLD, newPassword: NEW }, me.here);
    expect(res.status).toBe(200);
    for (const cookie of [me.here, ...me.others]) expect(await whoAmI(cookie)).toBeNull();
    expect(await whoAmI(sessionCookie(res))).not.toBeNull();
    // Nobody else's session ends.
    expect(await whoAmI(stranger)).not.toBeNull();
  });

  it("makes the new password the one that signs in", async () => {
    const me = await threeBrowsers("switch");
    await changePassword({ currentPassword: OLD, newPassword: NEW }, me.here);
    expect((await signin(me.email, OLD)).status).toBe(400);
    expect((await signin(me.email, NEW)).status).toBe(200);
  });

  it("stages one session_revoked (version 1) per session it ended, and none for sessions already over", async () => {
    const me = await threeBrowsers("events");
    const signedOut = sessionCookie(await signin(me.email, OLD));
    const signedOutId = tokenOf(signedOut).sessionId;
    await post("signout", undefined, { cookie: signedOut });
    const ended = [me.here, ...me.others].map((cookie) => tokenOf(cookie).sessionId);

    await changePassword({ currentPassword: OLD, newPassword: NEW }, me.here);
    const events = (await eventsFor("session_revoked", me.id)).filter((e) => e.data.sessionId !== signedOutId);
    expect(events.map((e) => e.data.sessionId).sort()).toEqual(ended.sort());
    for (const event of events) {
      expect(event).toMatchObject({ source: "auth", version: 1 });
      const row = await env.AUTH_DB.prepare("SELECT expires_at, revoked_at FROM sessions WHERE id = ?")
        .bind(event.data.sessionId)
        .first<{ expires_at: string; revoked_at: string }>();
      expect(event.data.expiresAt).toBe(row!.expires_at);
      expect(row!.revoked_at).not.toBeNull();
    }
    // The signed-out session was announced once, by its sign-out.
    expect((await eventsFor("session_revoked", me.id)).filter((e) => e.data.sessionId === signedOutId)).toHaveLength(1);
  });

  describe("a wrong current password", () => {
    it("answers 400 Current password is incorrect on currentPassword and changes nothing", async () => {
      const me = await threeBrowsers("wrong");
      const res = await changePassword({ currentPassword: "a wrong guess", newPassword: NEW }, me.here);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ errors: [{ field: "currentPassword", message: "Current password is incorrect" }] });
      expect(res.headers.has("set-cookie")).toBe(false);
      for (const cookie of [me.here, ...me.others]) expect(await whoAmI(cookie)).not.toBeNull();
      expect((await signin(me.email, OLD)).status).toBe(200);
      expect(await eventsFor("session_revoked", me.id)).toEqual([]);
    });

    it("counts as a failed sign-in of the account's email from that client: the 11th attempt within 15 minutes is 429", async () => {
      const me = await threeBrowsers("guess");
      const client = "192.0.2.77";
      for (let i = 0; i < 10; i++) {
        expect((await changePassword({ currentPassword: `guess ${i}`, newPassword: NEW }, me.here, client)).status).toBe(400);
      }
      const res = await changePassword({ currentPassword: OLD, newPassword: NEW }, me.here, client);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await signin(me.email, OLD, client)).status).toBe(429);
      // Another client (the owner elsewhere) is not locked out.
      expect((await signin(me.email, OLD)).status).toBe(200);
    });

    it("counts against the session whatever its address: the 11th guess from a fresh client is 429, the owner's other sessions keep theirs", async () => {
      const me = await threeBrowsers("rotating");
      // Each guess from an address of its own, as from someone rotating addresses with a stolen cookie.
      for (let i = 0; i < 10; i++) {
        expect((await changePassword({ currentPassword: `guess ${i}`, newPassword: NEW }, me.here, `198.51.100.${i + 1}`)).status).toBe(400);
      }
      const refused = await changePassword({ currentPassword: OLD, newPassword: NEW }, me.here, "198.51.100.200");
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await signin(me.email, NEW)).status).toBe(400);
      // Another browser of the owner's, from an address of its own, still changes the password.
      const changed = await changePassword({ currentPassword: OLD, newPassword: NEW }, me.others[0]!, "198.51.100.201");
      expect(changed.status).toBe(200);
      expect((await signin(me.email, NEW)).status).toBe(200);
    });
  });

  describe("invalid input", () => {
    it.each([
      ["a new password of 7 characters", { currentPassword: OLD, newPassword: "x".repeat(7) }, "newPassword"],
      ["a new password of 129 characters", { currentPassword: OLD, newPassword: "x".repeat(129) }, "newPassword"],
      ["no new password", { currentPassword: OLD }, "newPassword"],
      ["no current password", { newPassword: NEW }, "currentPassword"],
      ["an empty current password", { currentPassword: "", newPassword: NEW }, "currentPassword"],
      ["a new password that is a number", { currentPassword: OLD, newPassword: 123456789 }, "newPassword"],
    ])("answers 400 on the field for %s", async (_, body, field) => {
      const me = await threeBrowsers("invalid");
      const res = await changePassword(body, me.here);
      expect(res.status).toBe(400);
      const { errors } = await res.json<ErrorBody>();
      expect(errors).toEqual([{ field, message: expect.any(String) }]);
      expect((await signin(me.email, OLD)).status).toBe(200);
    });

    it("says the new password must be 8 to 128 characters", async () => {
      const me = await threeBrowsers("short");
      const res = await changePassword({ currentPassword: OLD, newPassword: "short" }, me.here);
      expect(await res.json()).toEqual({ errors: [{ field: "newPassword", message: "New password must be 8 to 128 characters" }] });
    });
  });

  it("answers 401 to an anonymous caller, and to a session already ended", async () => {
    expect((await changePassword({ currentPassword: OLD, newPassword: NEW })).status).toBe(401);
    const me = await threeBrowsers("ended");
    await changePassword({ currentPassword: OLD, newPassword: NEW }, me.here);
    const res = await changePassword({ currentPassword: NEW, newPassword: "yet another password" }, me.others[0]);
    expect(res.status).toBe(401);
    expect((await signin(me.email, NEW)).status).toBe(200);
  });
});
