import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signSession, verifySession } from "../../shared/src/session";
import { decodePayload } from "./client";

const user = { id: "5b3e3c1e-8a55-4b8e-9d7f-0c2a1f0e9b11", email: "zed@example.com" };
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
