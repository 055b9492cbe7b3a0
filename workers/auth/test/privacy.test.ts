import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { changePassword, decodePayload, parseSetCookie, patchProfile, post, sessionCookie, signin, signup } from "./client";

describe("email addresses never leave auth", () => {
  it("are in no session token: its claims are sub, sid, username, iat and exp", async () => {
    const email = "token.claims@example.com";
    const responses = [await signup(email, "first password 1")];
    responses.push(await signin(email, "first password 1"));
    responses.push(await changePassword({ currentPassword: "first password 1", newPassword: "second password 2" }, sessionCookie(responses[1]!)));
    for (const res of responses) {
      const token = parseSetCookie(res)!.value;
      const claims = decodePayload(token);
      expect(Object.keys(claims).sort()).toEqual(["exp", "iat", "sid", "sub", "username"]);
      expect(claims.username).toBe("token-claims");
      expect(new TextDecoder().decode(Uint8Array.from(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)))).not.toContain("@");
    }
  });

  it("are in no event auth publishes but the one contact_updated to notifications, whatever the account does", async () => {
    const email = "private.person@example.com";
    const cookie = sessionCookie(await signup(email, "first password 1"));
    await patchProfile({ displayName: "Private Person", country: "CH", bio: `Write to ${"me"} here` }, cookie);
    const other = sessionCookie(await signin(email, "first password 1"));
    await post("signout", undefined, { cookie: other });
    await changePassword({ currentPassword: "first password 1", newPassword: "second password 2" }, cookie);
    const { results } = await env.AUTH_DB.prepare("SELECT type, destination, body FROM outbox").all<{ type: string; destination: string; body: string }>();
    // The address goes to notifications alone, once, in contact_updated; every other event has none.
    const contacts = results.filter((r) => r.type === "contact_updated");
    expect(contacts.filter((r) => JSON.parse(r.body).data.email === email).map((r) => r.destination)).toEqual(["notifications"]);
    expect(contacts.every((r) => r.destination === "notifications")).toBe(true);
    const others = results.filter((r) => r.type !== "contact_updated");
    expect(new Set(others.map((r) => r.type))).toEqual(new Set(["profile_updated", "session_revoked"]));
    for (const { body } of others) {
      expect(body).not.toContain(email);
      expect(body).not.toContain("@");
    }
  });
});
