import { env } from "cloudflare:test";
import { base64url } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { currentUser, forgeToken, keyId, sessionCookie, signup, tokenUser, type TokenUser, type UserBody } from "./client";

const now = () => Math.floor(Date.now() / 1000);

/** The id of the account currentuser answers for `token`, or null. */
async function whoIs(token: string) {
  const res = await currentUser(`session=${token}`);
  expect(res.status).toBe(200);
  return (await res.json<{ currentUser: UserBody | null }>()).currentUser?.id ?? null;
}

/** Replaces one of the three dot-separated parts of a JWT. */
function withPart(token: string, index: 0 | 1 | 2, part: string) {
  const parts = token.split(".");
  parts[index] = part;
  return parts.join(".");
}

const encodeJson = (value: unknown) => base64url.encode(JSON.stringify(value));

describe("session tokens that currentuser refuses", () => {
  let user: TokenUser;
  let issued: string;

  beforeAll(async () => {
    const res = await signup("yul@example.com");
    issued = sessionCookie(res).slice("session=".length);
    user = tokenUser(res);
  });

  it("accepts the issued token and a hand-made one with the same key, so each refusal below is about its one change", async () => {
    expect(await whoIs(issued)).toBe(user.id);
    expect(await whoIs(await forgeToken(user))).toBe(user.id);
  });

  it("refuses a token whose signature was altered", async () => {
    const [, , signature] = issued.split(".");
    const flipped = (signature![0] === "A" ? "B" : "A") + signature!.slice(1);
    expect(await whoIs(withPart(issued, 2, flipped))).toBeNull();
  });

  it("refuses a token whose payload was altered to another user", async () => {
    const payload = JSON.parse(new TextDecoder().decode(base64url.decode(issued.split(".")[1]!)));
    const forged = encodeJson({ ...payload, sub: crypto.randomUUID(), username: "admin" });
    expect(await whoIs(withPart(issued, 1, forged))).toBeNull();
  });

  it("refuses an expired token", async () => {
    expect(await whoIs(await forgeToken(user, { exp: now() - 60 }))).toBeNull();
  });

  it("refuses a token without an expiry", async () => {
    expect(await whoIs(await forgeToken(user, { omitExp: true }))).toBeNull();
  });

  it("refuses an unsigned token with alg none", async () => {
    const header = encodeJson({ alg: "none", typ: "JWT", kid: await keyId("test") });
    const payload = encodeJson({ sub: user.id, sid: user.sessionId, username: user.username, iat: now(), exp: now() + 3600 });
    expect(await whoIs(`${header}.${payload}.`)).toBeNull();
  });

  it("refuses an alg none token that names the real key id", async () => {
    const header = JSON.parse(new TextDecoder().decode(base64url.decode(issued.split(".")[0]!)));
    const unsigned = withPart(withPart(issued, 0, encodeJson({ ...header, alg: "none" })), 2, "");
    expect(await whoIs(unsigned)).toBeNull();
  });

  it("refuses a token signed with another secret", async () => {
    expect(await whoIs(await forgeToken(user, { secret: "somebody-else's-secret" }))).toBeNull();
  });

  it("refuses a token signed with another secret that claims our key id", async () => {
    const ours = issued.split(".")[0]!;
    const kid = JSON.parse(new TextDecoder().decode(base64url.decode(ours))).kid as string;
    expect(await whoIs(await forgeToken(user, { secret: "somebody-else's-secret", kid }))).toBeNull();
  });

  it("refuses a token without a subject", async () => {
    expect(await whoIs(await forgeToken({ ...user, id: "" }))).toBeNull();
  });

  it("refuses a token without a session id, as every token issued before sessions were kept", async () => {
    expect(await whoIs(await forgeToken(user, { claims: { sid: undefined } }))).toBeNull();
    expect(await whoIs(await forgeToken(user, { claims: { sid: "" } }))).toBeNull();
    expect(await whoIs(await forgeToken(user, { claims: { sid: undefined, email: "yul@example.com" } }))).toBeNull();
  });

  it("refuses a token without a username", async () => {
    expect(await whoIs(await forgeToken(user, { claims: { username: undefined } }))).toBeNull();
    expect(await whoIs(await forgeToken(user, { claims: { username: "" } }))).toBeNull();
  });

  it("refuses a correctly signed token naming a session auth never started", async () => {
    expect(await whoIs(await forgeToken({ ...user, sessionId: crypto.randomUUID() }))).toBeNull();
  });

  it("refuses a correctly signed token whose session row has expired", async () => {
    const res = await signup("expired-row@example.com");
    const other = tokenUser(res);
    expect(await whoIs(sessionCookie(res).slice("session=".length))).toBe(other.id);
    await env.AUTH_DB.prepare("UPDATE sessions SET expires_at = ? WHERE id = ?").bind(new Date(Date.now() - 1000).toISOString(), other.sessionId).run();
    expect(await whoIs(sessionCookie(res).slice("session=".length))).toBeNull();
  });

  it.each([
    ["a garbage string", "not-a-token"],
    ["three dots of nothing", ".."],
    ["base64 noise", "eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl"],
    ["a percent-encoding that does not decode", "%E0%A4%A"],
    ["a very long value", "x".repeat(3000)],
  ])("answers null, not an error, for %s", async (_, value) => {
    expect(await whoIs(value)).toBeNull();
  });
});
