import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openResetToken } from "../../shared/src/reset-link-seal";
import {
  changePassword,
  decodePayload,
  outboxEvents,
  parseSetCookie,
  patchProfile,
  post,
  sessionCookie,
  signin,
  signup,
  tokenOf,
  tokenUser,
  whoAmI,
  type UserBody,
} from "./client";

const PASSWORD = "correct horse battery";

/** A new account, signed in once: its cookie and what sign-up answered. */
async function account(prefix: string) {
  const res = await signup(`${prefix}-${crypto.randomUUID().slice(0, 8)}@example.com`, PASSWORD);
  const user = await res.json<UserBody>();
  return { ...user, cookie: sessionCookie(res) };
}

const tokenClaims = (cookie: string) => decodePayload(cookie.slice("session=".length));

describe("the profile's country in the session token", () => {
  it("is absent at sign-up, when the profile names none", async () => {
    const me = await account("none");
    expect(tokenOf(me.cookie).country).toBeNull();
    expect(tokenClaims(me.cookie)).not.toHaveProperty("country");
  });

  it("is the account's country in a token from sign-in", async () => {
    const me = await account("signin");
    expect((await patchProfile({ country: "DE" }, me.cookie)).status).toBe(200);
    const res = await signin(me.email, PASSWORD);
    expect(res.status).toBe(200);
    expect(tokenUser(res)).toMatchObject({ id: me.id, username: me.username, country: "DE" });
  });

  it("is the new country in a fresh cookie for the same session when an edit changes it, and the old cookie still works", async () => {
    const me = await account("edit");
    const before = tokenOf(me.cookie);
    const res = await patchProfile({ country: "JP" }, me.cookie);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ country: "JP" });

    const fresh = sessionCookie(res);
    expect(tokenOf(fresh)).toEqual({ ...before, country: "JP" });
    // The same session, ending when it would have: nothing about it but the country moved.
    expect(tokenClaims(fresh).exp).toBe(tokenClaims(me.cookie).exp);
    const maxAge = Number(parseSetCookie(res)!.attributes.get("max-age"));
    expect(Math.abs(tokenClaims(fresh).exp! - Math.floor(Date.now() / 1000) - maxAge)).toBeLessThanOrEqual(2);

    // Not revoked: the old token names a session that goes on, and the fresh one works too.
    expect(await whoAmI(me.cookie)).toMatchObject({ id: me.id, country: "JP" });
    expect(await whoAmI(fresh)).toMatchObject({ id: me.id, country: "JP" });
    expect((await outboxEvents("session_revoked")).filter((r) => (r.event.data as { userId: string }).userId === me.id)).toEqual([]);
  });

  it("is dropped from a fresh cookie when the country is cleared", async () => {
    const me = await account("clear");
    const set = sessionCookie(await patchProfile({ country: "FR" }, me.cookie));
    const res = await patchProfile({ country: null }, set);
    expect(res.status).toBe(200);
    const fresh = sessionCookie(res);
    expect(tokenOf(fresh)).toEqual({ ...tokenOf(me.cookie), country: null });
    expect(tokenClaims(fresh)).not.toHaveProperty("country");
  });

  it("sets no cookie when an edit leaves the country as the token says it", async () => {
    const me = await account("same");
    const res = await patchProfile({ bio: "Only the bio" }, me.cookie);
    expect(res.status).toBe(200);
    expect(res.headers.has("set-cookie")).toBe(false);
    const set = sessionCookie(await patchProfile({ country: "IT" }, me.cookie));
    const again = await patchProfile({ country: "IT", displayName: "Same Place" }, set);
    expect(again.status).toBe(200);
    expect(again.headers.has("set-cookie")).toBe(false);
  });

  it("brings a token that lags the account up to date on its next edit, as another device's would", async () => {
    const me = await account("lag");
    const elsewhere = sessionCookie(await signin(me.email, PASSWORD));
    await patchProfile({ country: "NL" }, me.cookie);
    // The other device's token still says what it was signed with…
    expect(tokenOf(elsewhere).country).toBeNull();
    // …until it edits anything, when the answer carries the account's country.
    const res = await patchProfile({ bio: "From the other device" }, elsewhere);
    expect(tokenOf(sessionCookie(res))).toEqual({ ...tokenOf(elsewhere), country: "NL" });
  });

  it("is the account's country in the fresh session of a password change", async () => {
    const me = await account("password");
    await patchProfile({ country: "SE" }, me.cookie);
    const res = await changePassword({ currentPassword: PASSWORD, newPassword: "a second password" }, me.cookie);
    expect(res.status).toBe(200);
    expect(tokenUser(res).country).toBe("SE");
  });

  it("is the account's country in the session a password reset starts", async () => {
    const me = await account("reset");
    await patchProfile({ country: "CA" }, me.cookie);
    expect((await post("password-reset", { email: me.email })).status).toBe(202);
    const [requested] = (await outboxEvents("password_reset_requested")).filter((r) => (r.event.data as { userId: string }).userId === me.id);
    const token = await openResetToken((requested!.event.data as { sealedToken: string }).sealedToken, env.JWT_SECRET);
    const res = await post("password-reset/confirm", { token, newPassword: "a reset password" });
    expect(res.status).toBe(200);
    expect(tokenUser(res)).toMatchObject({ id: me.id, country: "CA" });
  });
});
