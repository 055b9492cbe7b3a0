import { describe, expect, it } from "vitest";
import { api, base, eventually, signUp } from "./client";

/**
 * How long a session that auth ended may still be accepted elsewhere: the time its
 * `session_revoked` takes to reach every service's replica. Relayed right after the commit,
 * it arrives within a second or two while nothing is lost (docs/accounts.md gives the bound
 * when a message is lost).
 */
const REVOKED_EVERYWHERE_MS = 20_000;

/** Requests every service answers with something other than 401 while the session lives. */
const protectedRoutes = (cookie: string): [string, () => Promise<Response>][] => [
  ["orders", () => api("/api/orders", { cookie })],
  ["catalog", () => api("/api/vinyls/mine", { cookie })],
  // An order nobody has: 404 for a live session, 401 once it has ended.
  ["payments", () => api("/api/payments/checkout", { method: "POST", cookie, json: { orderId: crypto.randomUUID() } })],
];

async function expectLive(cookie: string) {
  const { currentUser } = (await api("/api/users/currentuser", { cookie }).then((r) => r.json())) as { currentUser: unknown };
  expect(currentUser).not.toBeNull();
  for (const [service, call] of protectedRoutes(cookie)) expect((await call()).status, service).not.toBe(401);
}

/** Waits until every service answers `cookie` with 401, and auth knows no user for it. */
async function expectEndedEverywhere(cookie: string) {
  expect(await api("/api/users/currentuser", { cookie }).then((r) => r.json())).toEqual({ currentUser: null });
  for (const [service, call] of protectedRoutes(cookie)) {
    await eventually(async () => ((await call()).status === 401 ? service : undefined), REVOKED_EVERYWHERE_MS);
  }
}

const signIn = async (email: string, password = "needle-drop-42") => {
  const res = await api("/api/users/signin", { method: "POST", json: { email, password } });
  expect(res.status).toBe(200);
  return /session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")![0];
};

describe("sessions that end on the server", () => {
  it("sign-out ends the session in every service: the same cookie replayed afterwards is refused", async () => {
    const shopper = await signUp("leaving");
    await expectLive(shopper.cookie);
    const res = await api("/api/users/signout", { method: "POST", cookie: shopper.cookie });
    expect(res.status).toBe(200);
    // The browser drops its cookie; a copy of it (stolen, or replayed) must not work either.
    await expectEndedEverywhere(shopper.cookie);
  });

  it("a password change ends every other session in every service and keeps the browser that changed it signed in", async () => {
    const shopper = await signUp("rotating");
    const elsewhere = await signIn(shopper.email);
    await expectLive(elsewhere);
    const res = await api("/api/users/currentuser/password", {
      method: "POST",
      cookie: shopper.cookie,
      json: { currentPassword: "needle-drop-42", newPassword: "a fresh password" },
    });
    expect(res.status).toBe(200);
    const fresh = /session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")![0];
    await expectEndedEverywhere(elsewhere);
    await expectEndedEverywhere(shopper.cookie);
    await expectLive(fresh);
    expect((await api("/api/users/signin", { method: "POST", json: { email: shopper.email, password: "needle-drop-42" } })).status).toBe(400);
    await signIn(shopper.email, "a fresh password");
  });

  it("signing out one browser leaves the account's other sessions signed in everywhere", async () => {
    const shopper = await signUp("two-browsers");
    const other = await signIn(shopper.email);
    await api("/api/users/signout", { method: "POST", cookie: shopper.cookie });
    await expectEndedEverywhere(shopper.cookie);
    await expectLive(other);
  });
});

describe("public profiles through the public origin", () => {
  it("serves a seller's profile at /api/sellers/:username, without the email", async () => {
    const seller = await signUp("profiled");
    const patched = await api("/api/users/currentuser", { method: "PATCH", cookie: seller.cookie, json: { displayName: "Profiled Seller", country: "IE" } });
    expect(patched.status).toBe(200);
    const res = await api(`/api/sellers/${seller.username}`);
    expect(res.status).toBe(200);
    const body: unknown = await res.json();
    expect(body).toEqual({ username: seller.username, displayName: "Profiled Seller", country: "IE", bio: null, memberSince: expect.any(String) });
    expect(JSON.stringify(body)).not.toContain(seller.email);
  });

  it("answers unknown sellers and deeper paths it does not serve with 404 in the error shape", async () => {
    for (const path of ["/api/sellers/nobody-at-all", "/api/sellers", "/api/sellers/", "/api/sellers/a/b/c"]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { errors: unknown }).errors, path).toEqual([expect.objectContaining({ message: expect.any(String) })]);
    }
  });
});
