import { describe, expect, it } from "vitest";
import { currentUser, parseSetCookie, post, sessionCookie, signup, type AccountBody, type UserBody } from "./client";

describe("POST /api/users/signout", () => {
  it("answers 200 {} and clears the session cookie with Max-Age=0 and the attributes it was set with", async () => {
    const cookie = sessionCookie(await signup("una@example.com"));
    const res = await post("signout", undefined, { cookie });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const cleared = parseSetCookie(res)!;
    expect(cleared.name).toBe("session");
    expect(cleared.value).toBe("");
    expect(cleared.attributes.get("max-age")).toBe("0");
    expect(cleared.attributes.get("path")).toBe("/");
    expect(cleared.attributes.has("httponly")).toBe(true);
    expect(cleared.attributes.get("samesite")).toBe("Lax");
  });

  it("answers the same to a caller who was not signed in", async () => {
    const res = await post("signout");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(parseSetCookie(res)!.attributes.get("max-age")).toBe("0");
  });

  it("needs no JSON body or content type", async () => {
    const res = await post("signout", undefined, { "content-type": "text/plain" });
    expect(res.status).toBe(200);
  });

  it("marks the cleared cookie Secure on an HTTPS origin, or the browser would not replace it", async () => {
    const res = await post("signout", undefined, {}, "https://shop.example");
    expect(parseSetCookie(res)!.attributes.has("secure")).toBe(true);
  });
});

describe("GET /api/users/currentuser", () => {
  it("answers {currentUser: {id, email, username, displayName, country, bio, memberSince}} for a valid session cookie", async () => {
    const signedUp = await signup("vic@example.com");
    const user = await signedUp.json<UserBody>();
    const res = await currentUser(sessionCookie(signedUp));
    expect(res.status).toBe(200);
    const { currentUser: account } = await res.json<{ currentUser: AccountBody }>();
    expect(account).toEqual({
      id: user.id,
      email: "vic@example.com",
      username: "vic",
      displayName: null,
      country: null,
      bio: null,
      memberSince: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    expect(Math.abs(Date.parse(account.memberSince) - Date.now())).toBeLessThan(60_000);
  });

  it("answers {currentUser: null} without a cookie", async () => {
    const res = await currentUser();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ currentUser: null });
  });

  it("finds the session among other cookies", async () => {
    const signedUp = await signup("wes@example.com");
    const user = await signedUp.json<UserBody>();
    const res = await currentUser(`theme=dark; ${sessionCookie(signedUp)}; cart=3`);
    expect(await res.json()).toEqual({ currentUser: expect.objectContaining(user) });
  });

  it("answers null for an empty session cookie, such as the one signout leaves behind", async () => {
    const res = await currentUser("session=");
    expect(await res.json()).toEqual({ currentUser: null });
  });

  it("is never cached", async () => {
    expect((await currentUser()).headers.get("cache-control")).toBe("no-store");
  });

  it("sets no cookie", async () => {
    const signedUp = await signup("xan@example.com");
    expect((await currentUser(sessionCookie(signedUp))).headers.has("set-cookie")).toBe(false);
  });
});
