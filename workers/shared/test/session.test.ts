import { base64url, SignJWT, type JWTPayload } from "jose";
import { describe, expect, it } from "vitest";
import { signSession, verifySession } from "../src/session";

const SECRET = "a-secret";
const session = { id: "5b3e3c1e-8a55-4b8e-9d7f-0c2a1f0e9b11", username: "zed", sessionId: "0f1e2d3c-4b5a-4969-8877-665544332211" };

const claimsOf = (token: string): JWTPayload => JSON.parse(new TextDecoder().decode(base64url.decode(token.split(".")[1]!)));

/** A token signed as signSession signs, with exactly `claims` beside sub, iat and exp. */
async function tokenWith(claims: JWTPayload) {
  const key = new TextEncoder().encode(SECRET);
  const kid = base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", key))).slice(0, 12);
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid, typ: "JWT" }).setSubject(session.id).setIssuedAt().setExpirationTime("1h").sign(key);
}

describe("the profile's country in a session token", () => {
  it("is signed as a country claim and read back", async () => {
    const token = await signSession({ ...session, country: "DE" }, SECRET, 3600);
    expect(claimsOf(token).country).toBe("DE");
    expect(await verifySession(token, SECRET)).toEqual({ ...session, country: "DE" });
  });

  it("is no claim at all when the profile names none, and reads back as null", async () => {
    const token = await signSession({ ...session, country: null }, SECRET, 3600);
    expect(claimsOf(token)).not.toHaveProperty("country");
    expect(await verifySession(token, SECRET)).toEqual({ ...session, country: null });
  });

  it("is null in a token signed before tokens carried it, which still verifies", async () => {
    const earlier = await tokenWith({ sid: session.sessionId, username: session.username });
    expect(await verifySession(earlier, SECRET)).toEqual({ ...session, country: null });
  });

  it("is null when the claim is not a string, and the session still verifies", async () => {
    for (const country of [42, ["DE"], { code: "DE" }, null, ""]) {
      const token = await tokenWith({ sid: session.sessionId, username: session.username, country });
      expect(await verifySession(token, SECRET)).toEqual({ ...session, country: null });
    }
  });
});
