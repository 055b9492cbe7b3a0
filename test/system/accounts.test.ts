import { describe, expect, it } from "vitest";
import { base } from "./client";

function sessionCookie(res: Response): string {
  const header = res.headers.get("set-cookie") ?? "";
  const match = /session=([^;]*)/.exec(header);
  if (!match) throw new Error(`no session cookie in ${header}`);
  return match[1]!;
}

describe("accounts through the public origin", () => {
  it("signs up, knows the current user, and signs out", async () => {
    const email = `walker-${crypto.randomUUID()}@example.com`;
    const signup = await fetch(`${base}/api/users/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "needle-drop-42" }),
    });
    expect(signup.status).toBe(201);
    const user = (await signup.json()) as { id: string; email: string; username: string };
    expect(user).toEqual({ id: expect.any(String), email, username: expect.stringMatching(/^walker-/) });
    const token = sessionCookie(signup);

    const current = await fetch(`${base}/api/users/currentuser`, { headers: { cookie: `session=${token}` } });
    expect(await current.json()).toEqual({ currentUser: { ...user, displayName: null, country: null, bio: null, memberSince: expect.any(String) } });

    const signout = await fetch(`${base}/api/users/signout`, {
      method: "POST",
      headers: { cookie: `session=${token}` },
    });
    expect(signout.status).toBe(200);
    expect(signout.headers.get("set-cookie")).toMatch(/session=;.*Max-Age=0/);
    expect(sessionCookie(signout)).toBe("");

    const after = await fetch(`${base}/api/users/currentuser`);
    expect(await after.json()).toEqual({ currentUser: null });
  });

  it("answers unknown API paths with 404 in the error shape", async () => {
    const res = await fetch(`${base}/api/no-such-thing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ errors: [{ message: "Not found" }] });
  });

  it("reports health only when every Worker answers its own /health", async () => {
    const res = await fetch(`${base}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});
