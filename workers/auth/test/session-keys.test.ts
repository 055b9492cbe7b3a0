import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { base64url, SignJWT } from "jose";
import { sessionExpiry, signSession, verifySession } from "../../shared/src/session";
import { decodePayload } from "./client";

const user = { id: "5b3e3c1e-8a55-4b8e-9d7f-0c2a1f0e9b11", username: "zed", sessionId: "0f1e2d3c-4b5a-4969-8877-665544332211", country: null };
const TTL = 3600;

describe("signSession and verifySession", () => {
  it("round-trips the user under the test Worker's secret", async () => {
    const token = await signSession(user, env.JWT_SECRET, TTL);
    expect(await verifySession(token, env.JWT_SECRET)).toEqual(user);
  });

  it("signs HS256 tokens that expire after the given lifetime", async () => {
    const token = await signSession(user, "a-secret", TTL);
    const header = JSON.parse(atob(token.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/")));
    expect(header.alg).toBe("HS256");
    const { iat, exp, sub } = decodePayload(token);
    expect(sub).toBe(user.id);
    expect(exp! - iat!).toBe(TTL);
  });

  it("carries the user id, session id and username, and no email address", async () => {
    const token = await signSession(user, "a-secret", TTL);
    const { iat, exp, ...claims } = decodePayload(token);
    expect(claims).toEqual({ sub: user.id, sid: user.sessionId, username: "zed" });
    expect(iat).toBeTypeOf("number");
    expect(exp).toBeTypeOf("number");
  });

  it("expires a token at sessionExpiry of the moment it was issued, to the second", async () => {
    const now = new Date("2026-05-01T10:00:00.750Z");
    const { iat, exp } = decodePayload(await signSession(user, "a-secret", TTL, now));
    expect(iat).toBe(Math.floor(now.getTime() / 1000));
    expect(exp! * 1000).toBe(sessionExpiry(TTL, now).getTime());
  });

  it("answers null for a well-signed token without a session id, as tokens from before sessions were kept", async () => {
    const [key] = [new TextEncoder().encode("a-secret")];
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", key));
    const kid = base64url.encode(digest).slice(0, 12);
    const legacy = await new SignJWT({ email: "zed@example.com" })
      .setProtectedHeader({ alg: "HS256", kid, typ: "JWT" })
      .setSubject(user.id)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(key);
    expect(await verifySession(legacy, "a-secret")).toBeNull();
    // The same token with the claims of today verifies, so the refusal above is the missing sid.
    const current = await new SignJWT({ sid: user.sessionId, username: user.username })
      .setProtectedHeader({ alg: "HS256", kid, typ: "JWT" })
      .setSubject(user.id)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(key);
    expect(await verifySession(current, "a-secret")).toEqual(user);
  });

  it("answers null for no token at all", async () => {
    expect(await verifySession(undefined, "a-secret")).toBeNull();
    expect(await verifySession("", "a-secret")).toBeNull();
  });
});

describe("key rotation through a comma-separated JWT_SECRET", () => {
  it("still verifies a token signed with the old secret once JWT_SECRET is new,old", async () => {
    const token = await signSession(user, "old-secret", TTL);
    expect(await verifySession(token, "new-secret,old-secret")).toEqual(user);
  });

  it("stops verifying the old secret's tokens once the old secret is removed", async () => {
    const token = await signSession(user, "old-secret", TTL);
    expect(await verifySession(token, "new-secret")).toBeNull();
  });

  it("signs new sessions with the first secret only", async () => {
    const token = await signSession(user, "new-secret,old-secret", TTL);
    expect(await verifySession(token, "new-secret")).toEqual(user);
    expect(await verifySession(token, "old-secret")).toBeNull();
  });

  it("ignores spaces around the commas and empty entries", async () => {
    const token = await signSession(user, "old-secret", TTL);
    expect(await verifySession(token, " new-secret , old-secret ,")).toEqual(user);
  });

  it("does not verify a token with a secret that merely contains the real one", async () => {
    const token = await signSession(user, "old-secret", TTL);
    expect(await verifySession(token, "old-secret-2")).toBeNull();
  });
});
