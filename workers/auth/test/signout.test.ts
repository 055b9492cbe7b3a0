import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { decodePayload, eventsFor, post, sessionCookie, signin, signup, tokenUser, whoAmI, type UserBody } from "./client";

describe("signing out ends the session on the server", () => {
  it("makes the same token anonymous at once when it is sent again", async () => {
    const res = await signup(`replay-${crypto.randomUUID().slice(0, 8)}@example.com`);
    const cookie = sessionCookie(res);
    expect(await whoAmI(cookie)).not.toBeNull();
    expect((await post("signout", undefined, { cookie })).status).toBe(200);
    expect(await whoAmI(cookie)).toBeNull();
  });

  it("ends only that session: the account's other sessions stay signed in", async () => {
    const email = `two-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const first = sessionCookie(await signup(email));
    const second = sessionCookie(await signin(email));
    await post("signout", undefined, { cookie: first });
    expect(await whoAmI(first)).toBeNull();
    expect(await whoAmI(second)).not.toBeNull();
  });

  it("stages session_revoked (version 1) with the session's id, its user and when its token expires, for catalog, orders, payments and notifications", async () => {
    const res = await signup(`announce-${crypto.randomUUID().slice(0, 8)}@example.com`);
    const user = await res.json<UserBody>();
    const cookie = sessionCookie(res);
    const { sessionId } = tokenUser(res);
    const { exp } = decodePayload(cookie.slice("session=".length));
    await post("signout", undefined, { cookie });
    const [event, ...more] = await eventsFor("session_revoked", user.id);
    expect(more).toEqual([]);
    expect(event).toMatchObject({ type: "session_revoked", source: "auth", version: 1, data: { sessionId, userId: user.id } });
    expect(Date.parse(event!.data.expiresAt as string)).toBe(exp! * 1000);
    const { results } = await env.AUTH_DB.prepare("SELECT destination FROM outbox WHERE event_id = ? ORDER BY destination").bind(event!.id).all();
    expect(results.map((r) => r.destination)).toEqual(["catalog", "notifications", "orders", "payments"]);
  });

  it("announces nothing more when the ended session's token signs out again", async () => {
    const res = await signup(`twice-${crypto.randomUUID().slice(0, 8)}@example.com`);
    const user = await res.json<UserBody>();
    const cookie = sessionCookie(res);
    await post("signout", undefined, { cookie });
    const again = await post("signout", undefined, { cookie });
    expect(again.status).toBe(200);
    expect(again.headers.get("set-cookie")).toMatch(/^session=;.*Max-Age=0/);
    expect(await eventsFor("session_revoked", user.id)).toHaveLength(1);
  });

  it("announces nothing for a caller who was not signed in", async () => {
    const before = await env.AUTH_DB.prepare("SELECT count(*) AS n FROM outbox WHERE type = 'session_revoked'").first<{ n: number }>();
    await post("signout");
    const after = await env.AUTH_DB.prepare("SELECT count(*) AS n FROM outbox WHERE type = 'session_revoked'").first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
  });
});
