import { describe, expect, it } from "vitest";
import { BASE, call, countUsers, currentUser, parseSetCookie, post, sessionCookie, signup, type ErrorBody } from "./client";

const LIMIT = 64 * 1024;

/** A valid sign-up body padded with an ignored field to exactly `bytes` bytes. */
function signupOfSize(email: string, bytes: number) {
  const base = JSON.stringify({ email, password: "correct horse", pad: "" });
  return base.replace('"pad":""', `"pad":"${"x".repeat(bytes - base.length)}"`);
}

function streamOf(text: string) {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.slice(i, i + 4096));
      controller.close();
    },
  });
}

async function expectErrorBody(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = await res.json<ErrorBody>();
  expect(Object.keys(body)).toEqual(["errors"]);
  expect(body.errors.length).toBeGreaterThan(0);
  for (const error of body.errors) expect(typeof error.message).toBe("string");
  return body;
}

describe("unknown routes", () => {
  it.each([
    ["GET", "/api/users/nope"],
    ["POST", "/api/users/nope"],
    ["GET", "/api/users/signup"],
    ["DELETE", "/api/users/currentuser"],
    ["GET", "/api/users"],
    ["GET", "/somewhere/else"],
  ])("answer %s %s with 404 in the error shape", async (method, path) => {
    const res = await call(path, { method });
    const body = await expectErrorBody(res, 404);
    expect(body).toEqual({ errors: [{ message: "Not found" }] });
  });
});

describe("request bodies", () => {
  it("answers malformed JSON with 400 in the error shape", async () => {
    const res = await call("/api/users/signup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"email": "broken@example.com", "password": ',
    });
    const body = await expectErrorBody(res, 400);
    expect(body.errors).toEqual([{ message: expect.stringMatching(/json/i) }]);
    expect(await countUsers("broken@example.com")).toBe(0);
  });

  it("answers an empty body sent as JSON with 400", async () => {
    const res = await call("/api/users/signin", { method: "POST", headers: { "content-type": "application/json" } });
    await expectErrorBody(res, 400);
  });

  it.each(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json-seq"])(
    "answers a body sent as %s with 415",
    async (type) => {
      const res = await call("/api/users/signup", {
        method: "POST",
        headers: { "content-type": type },
        body: JSON.stringify({ email: "typed@example.com", password: "correct horse" }),
      });
      const body = await expectErrorBody(res, 415);
      expect(body.errors).toEqual([{ message: "Unsupported Media Type" }]);
      expect(await countUsers("typed@example.com")).toBe(0);
    },
  );

  it("answers a body without a content type with 415", async () => {
    const res = await call("/api/users/signin", {
      method: "POST",
      body: new TextEncoder().encode(JSON.stringify({ email: "typed@example.com", password: "correct horse" })),
    });
    expect(await expectErrorBody(res, 415)).toEqual({ errors: [{ message: "Unsupported Media Type" }] });
  });

  it("answers a request with neither body nor content type with 415", async () => {
    const res = await call("/api/users/signup", { method: "POST" });
    expect(await expectErrorBody(res, 415)).toEqual({ errors: [{ message: "Unsupported Media Type" }] });
  });

  it.each(["application/json; charset=utf-8", "Application/JSON", "application/merge-patch+json"])(
    "accepts JSON sent as %s",
    async (type) => {
      const email = `typed-${type.length}@example.com`;
      const res = await call("/api/users/signup", {
        method: "POST",
        headers: { "content-type": type },
        body: JSON.stringify({ email, password: "correct horse" }),
      });
      expect(res.status).toBe(201);
    },
  );

  it("accepts a body of exactly 64 KiB", async () => {
    const body = signupOfSize("exact@example.com", LIMIT);
    expect(new TextEncoder().encode(body).byteLength).toBe(LIMIT);
    const res = await call("/api/users/signup", { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(res.status).toBe(201);
  });

  it("answers a body one byte over 64 KiB with 413 and creates nothing", async () => {
    const res = await call("/api/users/signup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: signupOfSize("huge@example.com", LIMIT + 1),
    });
    const body = await expectErrorBody(res, 413);
    expect(body.errors).toEqual([{ message: "Request body too large" }]);
    expect(await countUsers("huge@example.com")).toBe(0);
  });

  it("answers an oversized body streamed without Content-Length with 413", async () => {
    const request = new Request(new URL("/api/users/signup", BASE), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: streamOf(signupOfSize("streamed@example.com", LIMIT * 2)),
    });
    expect(request.headers.has("content-length")).toBe(false);
    const res = await call(request.url, request);
    await expectErrorBody(res, 413);
    expect(await countUsers("streamed@example.com")).toBe(0);
  });

  it("checks the size before the media type", async () => {
    const res = await call("/api/users/signup", { method: "POST", headers: { "content-type": "text/plain" }, body: "x".repeat(LIMIT + 1) });
    await expectErrorBody(res, 413);
  });

  it.each([
    ["an email that is an object", { email: { $ne: null }, password: "correct horse" }],
    ["an email that is null", { email: null, password: "correct horse" }],
    ["a password that is a number", { email: "n@example.com", password: 12345678 }],
    ["a password that is an array", { email: "n@example.com", password: ["correct horse"] }],
    ["deep nesting", { email: JSON.parse("[".repeat(500) + "]".repeat(500)), password: "correct horse" }],
    ["a NUL in the email", { email: "nul\u0000@example.com", password: "correct horse" }],
  ])("answers %s with 400, never 500", async (_, body) => {
    for (const path of ["signup", "signin"]) await expectErrorBody(await post(path, body), 400);
  });
});

describe("cross-origin requests", () => {
  it("refuses a POST whose Origin is another site with 403 and creates no account", async () => {
    const res = await post("signup", { email: "csrf@example.com", password: "correct horse" }, { origin: "https://evil.example" });
    const body = await expectErrorBody(res, 403);
    expect(body.errors).toEqual([{ message: "Cross-origin request refused" }]);
    expect(res.headers.has("set-cookie")).toBe(false);
    expect(await countUsers("csrf@example.com")).toBe(0);
  });

  it.each(["cross-site", "same-site"])("refuses a POST marked Sec-Fetch-Site: %s", async (site) => {
    const email = `fetch-${site}@example.com`;
    const res = await post("signup", { email, password: "correct horse" }, { "sec-fetch-site": site });
    await expectErrorBody(res, 403);
    expect(await countUsers(email)).toBe(0);
  });

  it("refuses an Origin that differs only in scheme or port", async () => {
    for (const origin of ["https://localhost:8787", "http://localhost:8788", "null"]) {
      await expectErrorBody(await post("signup", { email: "port@example.com", password: "correct horse" }, { origin }), 403);
    }
    expect(await countUsers("port@example.com")).toBe(0);
  });

  it("refuses a cross-origin signin and signout too", async () => {
    await signup("victim@example.com");
    const headers = { origin: "https://evil.example" };
    await expectErrorBody(await post("signin", { email: "victim@example.com", password: "correct horse battery" }, headers), 403);
    const signout = await post("signout", undefined, headers);
    await expectErrorBody(signout, 403);
    expect(signout.headers.has("set-cookie")).toBe(false);
  });

  it("allows a POST from the same origin", async () => {
    const res = await post(
      "signup",
      { email: "same@example.com", password: "correct horse" },
      { origin: BASE, "sec-fetch-site": "same-origin" },
    );
    expect(res.status).toBe(201);
  });

  it("allows a same-origin POST on an HTTPS origin", async () => {
    const res = await post(
      "signup",
      { email: "same-tls@example.com", password: "correct horse" },
      { origin: "https://shop.example" },
      "https://shop.example",
    );
    expect(res.status).toBe(201);
  });

  it("allows a request the user typed or bookmarked (Sec-Fetch-Site: none)", async () => {
    const res = await post("signup", { email: "typed-in@example.com", password: "correct horse" }, { "sec-fetch-site": "none" });
    expect(res.status).toBe(201);
  });

  it("lets a cross-origin GET read nothing but its own cookies: currentuser still answers", async () => {
    const cookie = sessionCookie(await signup("reader@example.com"));
    const res = await call("/api/users/currentuser", { headers: { cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("service endpoints", () => {
  it("answers GET /health with 200 {status: ok}", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("describes the account and seller routes in GET /openapi.json", async () => {
    const res = await call("/openapi.json");
    expect(res.status).toBe(200);
    const doc = await res.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/api/sellers/{username}",
      "/api/users/currentuser",
      "/api/users/currentuser/password",
      "/api/users/password-reset",
      "/api/users/password-reset/confirm",
      "/api/users/signin",
      "/api/users/signout",
      "/api/users/signup",
    ]);
    expect(Object.keys(doc.paths["/api/users/signup"]!)).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/users/signin"]!)).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/users/signout"]!)).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/users/currentuser"]!)).toEqual(["get", "patch"]);
    expect(Object.keys(doc.paths["/api/users/currentuser/password"]!)).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/users/password-reset"]!)).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/users/password-reset/confirm"]!)).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/sellers/{username}"]!)).toEqual(["get"]);
  });

  it("tags every answer with a request id for the logs", async () => {
    const res = await currentUser();
    expect(res.headers.get("x-request-id")).toMatch(/\S+/);
  });
});

describe("the session cookie the API sets", () => {
  it("is the only cookie, named session", async () => {
    const res = await signup("only@example.com");
    expect(parseSetCookie(res)!.name).toBe("session");
    expect(res.headers.getSetCookie()).toHaveLength(1);
  });
});
