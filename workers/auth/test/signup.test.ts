import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  countUsers,
  currentUser,
  decodePayload,
  parseSetCookie,
  post,
  sessionCookie,
  signin,
  signup,
  type ErrorBody,
  type UserBody,
} from "./client";
import { inOneRateWindow } from "../../shared/test/rate-window";

describe("POST /api/users/signup", () => {
  it("creates an account for a trimmed, lower-cased email and answers 201 with its id, email and username", async () => {
    const res = await post("signup", { email: "  Ann@Example.COM ", password: "correct horse" });
    expect(res.status).toBe(201);
    const body = await res.json<UserBody>();
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      email: "ann@example.com",
      username: "ann",
    });
    expect(await countUsers("ann@example.com")).toBe(1);
  });

  it("sets an HttpOnly, SameSite=Lax session cookie on Path=/ whose Max-Age is the token's lifetime", async () => {
    const res = await signup("cookie@example.com");
    const cookie = parseSetCookie(res)!;
    expect(cookie.name).toBe("session");
    expect(cookie.value).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(cookie.attributes.has("httponly")).toBe(true);
    expect(cookie.attributes.get("samesite")).toBe("Lax");
    expect(cookie.attributes.get("path")).toBe("/");
    const { iat, exp } = decodePayload(cookie.value);
    expect(cookie.attributes.get("max-age")).toBe(String(exp! - iat!));
    expect(exp! - iat!).toBe(Number(env.SESSION_TTL_SECONDS));
  });

  it("leaves Secure off the cookie on plain-HTTP localhost, where a browser would drop it", async () => {
    const res = await signup("local@example.com");
    expect(parseSetCookie(res)!.attributes.has("secure")).toBe(false);
  });

  it("marks the cookie Secure on any HTTPS origin", async () => {
    const res = await post("signup", { email: "tls@example.com", password: "correct horse" }, {}, "https://shop.example");
    expect(res.status).toBe(201);
    expect(parseSetCookie(res)!.attributes.has("secure")).toBe(true);
  });

  it("signs the new user in: the cookie identifies them to currentuser", async () => {
    const res = await signup("fresh@example.com");
    const { id } = await res.json<UserBody>();
    const me = await currentUser(sessionCookie(res));
    expect(await me.json()).toEqual({
      currentUser: { id, email: "fresh@example.com", username: "fresh", displayName: null, country: null, bio: null, memberSince: expect.any(String) },
    });
  });

  it("accepts passwords of exactly 8 and exactly 128 characters", async () => {
    expect((await signup("eight@example.com", "x".repeat(8))).status).toBe(201);
    expect((await signup("max@example.com", "x".repeat(128))).status).toBe(201);
  });

  describe("invalid input", () => {
    it.each([
      ["a string without @", "not-an-email"],
      ["a missing domain", "ann@"],
      ["an empty string", ""],
      ["only whitespace", "   "],
      ["a number", 42],
      ["an address over 254 characters", `${"a".repeat(250)}@example.com`],
      ["an overlong string that is not an address either", "a".repeat(300)],
    ])("answers 400 with one email entry for %s", async (_, email) => {
      const res = await post("signup", { email, password: "correct horse" });
      expect(res.status).toBe(400);
      const { errors } = await res.json<ErrorBody>();
      expect(errors).toEqual([{ field: "email", message: expect.any(String) }]);
    });

    it.each([
      ["7 characters", "x".repeat(7)],
      ["129 characters", "x".repeat(129)],
      ["empty", ""],
    ])("answers 400 with one password entry for a password of %s", async (_, password) => {
      const res = await post("signup", { email: `short-${password.length}@example.com`, password });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ errors: [{ field: "password", message: "Password must be 8 to 128 characters" }] });
      expect(await countUsers(`short-${password.length}@example.com`)).toBe(0);
    });

    it("gives one entry per failing field when both fail", async () => {
      const res = await post("signup", { email: "nope", password: "short" });
      expect(res.status).toBe(400);
      const { errors } = await res.json<ErrorBody>();
      expect(errors).toHaveLength(2);
      expect(errors.map((e) => e.field).sort()).toEqual(["email", "password"]);
    });

    it("says which fields are required when the body is an empty object", async () => {
      const res = await post("signup", {});
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        errors: [
          { field: "email", message: "Email is required" },
          { field: "password", message: "Password is required" },
        ],
      });
    });

    it("answers 400 without a field when the body is JSON but not an object", async () => {
      for (const body of [null, [], "text", 1]) {
        const res = await post("signup", body);
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({ errors: [{ message: "Request body must be a JSON object" }] });
      }
    });

    it("sets no cookie and creates no account", async () => {
      const res = await post("signup", { email: "nocookie@example.com", password: "short" });
      expect(res.status).toBe(400);
      expect(res.headers.has("set-cookie")).toBe(false);
      expect(await countUsers("nocookie@example.com")).toBe(0);
    });
  });

  describe("an email already in use", () => {
    it("answers 409 Email already in use for the same address", async () => {
      expect((await signup("taken@example.com")).status).toBe(201);
      const res = await signup("taken@example.com", "another password");
      expect(res.status).toBe(409);
      expect(await res.json()).toEqual({ errors: [{ message: "Email already in use" }] });
      expect(res.headers.has("set-cookie")).toBe(false);
    });

    it.each(["TAKEN2@example.com", "  taken2@example.com", "taken2@EXAMPLE.com\t", " Taken2@Example.Com "])(
      "treats %j as the same address",
      async (variant) => {
        await signup("taken2@example.com");
        const res = await signup(variant);
        expect(res.status).toBe(409);
        expect(await res.json()).toEqual({ errors: [{ message: "Email already in use" }] });
        expect(await countUsers("taken2@example.com")).toBe(1);
      },
    );
  });

  it("marks the response as never to be cached", async () => {
    const res = await signup("nostore@example.com");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("sign-up limits", () => {
  it("answers a client's 11th sign-up within a minute with 429 and creates nothing; another client still signs up", async () => {
    const client = "198.51.100.11";
    await inOneRateWindow();
    for (let i = 0; i < 10; i++) expect((await signup(`burst-${i}@example.com`, undefined, client)).status).toBe(201);
    const refused = await signup("burst-10@example.com", undefined, client);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBe(60);
    expect(refused.headers.has("set-cookie")).toBe(false);
    expect((await signin("burst-10@example.com")).status).toBe(400);
    expect((await signup("burst-10@example.com")).status).toBe(201);
  });
});
