import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { call, currentUser, post, sessionCookie, signin, signup } from "./client";

// Storage is isolated per test file, so breaking the database here touches no other test.
describe("a fault of ours, such as a missing table", () => {
  let cookie: string;

  beforeAll(async () => {
    cookie = sessionCookie(await signup("before@example.com"));
    await env.AUTH_DB.exec("DROP TABLE users");
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(["signup", "signin"])("answers %s with 500 Something went wrong and no internals", async (path) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await post(path, { email: "after@example.com", password: "hunter2 hunter2" });
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ errors: [{ message: "Something went wrong" }] });
    expect(text).not.toMatch(/users|sql|d1|table|stack|at /i);
    expect(errors).toHaveBeenCalled();
  });

  it.each(["signup", "signin"])(
    "logs a %s fault as one JSON line with the request id and the cause, never the email or password",
    async (path) => {
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      const res = await post(path, { email: "logged@example.com", password: "hunter2 hunter2" });
      expect(res.status).toBe(500);
      const lines = errors.mock.calls.map((args) => String(args[0]));
      const entry = lines.map((line) => JSON.parse(line)).find((e) => e.msg === "unhandled error");
      expect(entry).toMatchObject({ level: "error", requestId: res.headers.get("x-request-id"), path: `/api/users/${path}` });
      expect(entry.error).toMatch(/no such table: users/);
      const logged = lines.join("\n");
      expect(logged).not.toContain("hunter2");
      expect(logged).not.toContain("logged@example.com");
      expect(logged).not.toMatch(/params:/);
    },
  );

  it("still answers the routes that need no account row: health, and sign-out, which ends the session", async () => {
    expect((await call("/health")).status).toBe(200);
    expect((await post("signout", undefined, { cookie })).status).toBe(200);
    expect(await (await currentUser(cookie)).json()).toEqual({ currentUser: null });
  });
});
