import { describe, expect, it } from "vitest";
import { currentUser, decodePayload, parseSetCookie, post, sessionCookie, signin, signup, type UserBody } from "./client";

describe("POST /api/users/signin", () => {
  it("answers 200 with the account's id and email and sets the session cookie", async () => {
    const created = await (await signup("bea@example.com", "correct horse")).json<UserBody>();
    const res = await signin("bea@example.com", "correct horse");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(created);
    const cookie = parseSetCookie(res)!;
    expect(cookie.name).toBe("session");
    expect(cookie.attributes.has("httponly")).toBe(true);
    expect(cookie.attributes.get("samesite")).toBe("Lax");
    expect(cookie.attributes.get("path")).toBe("/");
    expect(cookie.attributes.has("secure")).toBe(false);
    const { iat, exp, sub } = decodePayload(cookie.value);
    expect(sub).toBe(created.id);
    expect(cookie.attributes.get("max-age")).toBe(String(exp! - iat!));
  });

  it("marks the cookie Secure on an HTTPS origin", async () => {
    await signup("bea-tls@example.com", "correct horse");
    const res = await post("signin", { email: "bea-tls@example.com", password: "correct horse" }, {}, "https://shop.example");
    expect(res.status).toBe(200);
    expect(parseSetCookie(res)!.attributes.has("secure")).toBe(true);
  });

  it("finds the account whatever the case and surrounding whitespace of the email", async () => {
    const created = await (await signup("cy@example.com")).json<UserBody>();
    const res = await signin("  CY@Example.com ");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(created);
  });

  it("issues a cookie that currentuser accepts", async () => {
    const created = await (await signup("dee@example.com")).json<UserBody>();
    const res = await signin("dee@example.com");
    expect(await (await currentUser(sessionCookie(res))).json()).toEqual({ currentUser: expect.objectContaining(created) });
  });

  describe("invalid input", () => {
    it("answers 400 with one entry per failing field", async () => {
      const res = await post("signin", { email: "not-an-email" });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        errors: [
          { field: "email", message: "Email must be a valid email address" },
          { field: "password", message: "Password is required" },
        ],
      });
      expect(res.headers.has("set-cookie")).toBe(false);
    });

    it("answers 400 with a password entry for an empty password", async () => {
      const res = await post("signin", { email: "dee@example.com", password: "" });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ errors: [{ field: "password", message: "Password is required" }] });
    });

    it("answers 400 with a password entry for a password over 128 characters", async () => {
      const res = await post("signin", { email: "dee@example.com", password: "x".repeat(129) });
      expect(res.status).toBe(400);
      const body = await res.json<{ errors: { field?: string }[] }>();
      expect(body.errors).toEqual([{ field: "password", message: expect.any(String) }]);
    });
  });

  describe("wrong credentials", () => {
    it("answers 400 Invalid credentials for a wrong password, without a cookie", async () => {
      await signup("eve@example.com", "the right one");
      const res = await signin("eve@example.com", "the wrong one");
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ errors: [{ message: "Invalid credentials" }] });
      expect(res.headers.has("set-cookie")).toBe(false);
    });

    it("answers an unknown email byte for byte as it answers a wrong password", async () => {
      await signup("fay@example.com", "the right one");
      const wrongPassword = await signin("fay@example.com", "the wrong one");
      const unknownEmail = await signin("nobody-here@example.com", "the wrong one");
      expect(unknownEmail.status).toBe(wrongPassword.status);
      expect(await unknownEmail.text()).toBe(await wrongPassword.text());
      expect(unknownEmail.headers.get("content-type")).toBe(wrongPassword.headers.get("content-type"));
      expect(unknownEmail.headers.has("set-cookie")).toBe(false);
    });

    it("does not accept the password of a different account", async () => {
      await signup("gus@example.com", "gus's password");
      await signup("hal@example.com", "hal's password");
      expect((await signin("gus@example.com", "hal's password")).status).toBe(400);
    });
  });

  it("marks the response as never to be cached", async () => {
    await signup("ida@example.com");
    expect((await signin("ida@example.com")).headers.get("cache-control")).toBe("no-store");
  });
});
