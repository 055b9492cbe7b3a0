import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { FAILURE_WINDOW_MS, MAX_FAILURES } from "../src/routes/users";
import { newClient, post, signin as signinFrom, signup } from "./client";
import { inOneRateWindow } from "../../shared/test/rate-window";

const MINUTE = 60 * 1000;

/**
 * The one client every attempt of a test comes from, unless the test names another; a new
 * one per test, so no test spends another's per-client budget.
 */
let guesser = newClient();
beforeEach(() => {
  guesser = newClient();
});
const signin = (email: string, password?: string) => signinFrom(email, password, guesser);

async function fail(email: string, times: number, client = guesser) {
  for (let i = 0; i < times; i++) {
    const res = await signinFrom(email, "a wrong guess", client);
    expect(res.status).toBe(400);
  }
}

/** Failures recorded `agoMs` in the past, written straight into the table the throttle reads. */
async function pastFailures(email: string, count: number, agoMs: number) {
  const at = Date.now() - agoMs;
  const insert = env.AUTH_DB.prepare("INSERT INTO signin_failures (email, failed_at, client) VALUES (?, ?, ?)");
  await env.AUTH_DB.batch(Array.from({ length: count }, () => insert.bind(email, at, guesser)));
}

describe("sign-in throttling", () => {
  it("allows 10 failures within 15 minutes, as the contract states", () => {
    expect(MAX_FAILURES).toBe(10);
    expect(FAILURE_WINDOW_MS).toBe(15 * MINUTE);
  });

  it("answers the 11th attempt for an email with 429, even with the right password", async () => {
    await signup("jo@example.com", "the right one");
    await fail("jo@example.com", 10);
    const res = await signin("jo@example.com", "the right one");
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ errors: [{ message: expect.stringMatching(/too many/i) }] });
    expect(res.headers.has("set-cookie")).toBe(false);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  });

  it("keeps answering 429 with a wrong password too", async () => {
    await signup("kit@example.com");
    await fail("kit@example.com", 10);
    expect((await signin("kit@example.com", "a wrong guess")).status).toBe(429);
  });

  it("counts every spelling of one email together", async () => {
    await signup("lou@example.com");
    for (const variant of ["LOU@example.com", " lou@example.com", "Lou@Example.com "]) {
      for (let i = 0; i < 3; i++) expect((await signin(variant, "a wrong guess")).status).toBe(400);
    }
    await fail("lou@example.com", 1);
    expect((await signin("  LOU@EXAMPLE.COM")).status).toBe(429);
  });

  it("does not affect other emails", async () => {
    await signup("max@example.com");
    await signup("ned@example.com");
    await fail("max@example.com", 10);
    expect((await signin("max@example.com")).status).toBe(429);
    expect((await signin("ned@example.com")).status).toBe(200);
  });

  it("throttles unknown emails the same way, so a 429 reveals nothing about who has an account", async () => {
    await fail("ghost@example.com", 10);
    const res = await signin("ghost@example.com", "a wrong guess");
    expect(res.status).toBe(429);
  });

  it("ignores failures older than 15 minutes", async () => {
    await signup("oz@example.com");
    await pastFailures("oz@example.com", 10, FAILURE_WINDOW_MS + MINUTE);
    expect((await signin("oz@example.com", "a wrong guess")).status).toBe(400);
    expect((await signin("oz@example.com")).status).toBe(200);
  });

  it("counts failures from just inside the window", async () => {
    await signup("pam@example.com");
    await pastFailures("pam@example.com", 9, FAILURE_WINDOW_MS - MINUTE);
    await fail("pam@example.com", 1);
    const res = await signin("pam@example.com");
    expect(res.status).toBe(429);
    // Attempts resume when the oldest of the ten leaves the window, about a minute from now.
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it("lets an email in again once its failures have aged out of the window", async () => {
    await signup("quinn@example.com");
    await pastFailures("quinn@example.com", 10, FAILURE_WINDOW_MS - MINUTE);
    expect((await signin("quinn@example.com")).status).toBe(429);
    await env.AUTH_DB.prepare("UPDATE signin_failures SET failed_at = failed_at - ? WHERE email = ?")
      .bind(2 * MINUTE, "quinn@example.com")
      .run();
    expect((await signin("quinn@example.com")).status).toBe(200);
  });

  it("starts the count afresh after a successful sign-in", async () => {
    await signup("rae@example.com");
    await fail("rae@example.com", 9);
    expect((await signin("rae@example.com")).status).toBe(200);
    await fail("rae@example.com", 9);
    expect((await signin("rae@example.com")).status).toBe(200);
  });

  it("does not count requests that failed validation", async () => {
    await signup("sam@example.com");
    for (let i = 0; i < 12; i++) {
      expect((await post("signin", { email: "sam@example.com", password: "" })).status).toBe(400);
    }
    expect((await signin("sam@example.com")).status).toBe(200);
  });

  it("never locks the owner out from their own client: a stranger's failures count against the stranger", async () => {
    await signup("uma@example.com");
    await fail("uma@example.com", 10, "198.51.100.23");
    expect((await signinFrom("uma@example.com", "a wrong guess", "198.51.100.23")).status).toBe(429);
    expect((await signinFrom("uma@example.com", undefined, "192.0.2.80")).status).toBe(200);
  });

  it("counts an IPv6 client by its /64, so rotating addresses within it buys no fresh attempts", async () => {
    await signup("vic@example.com");
    for (let i = 0; i < 10; i++) {
      expect((await signinFrom("vic@example.com", "a wrong guess", `2001:db8:1:2::${(i + 1).toString(16)}`)).status).toBe(400);
    }
    expect((await signinFrom("vic@example.com", undefined, "2001:db8:1:2:ffff::1")).status).toBe(429);
    expect((await signinFrom("vic@example.com", undefined, "2001:db8:1:3::1")).status).toBe(200);
  });

  it("limits one client's attempts across many emails to 30 a minute (password spraying), not other clients'", async () => {
    const sprayer = "198.51.100.99";
    await inOneRateWindow();
    const statuses = [];
    for (let i = 0; i < 32; i++) statuses.push((await signinFrom(`spray-${i}@example.com`, "Summer2026!", sprayer)).status);
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    const limited = await signinFrom("spray-last@example.com", "Summer2026!", sprayer);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBe(60);
    expect((await signinFrom("spray-0@example.com", "Summer2026!", newClient())).status).toBe(400);
  });

  it("lets no more than 10 of many concurrent wrong guesses through to the password check", async () => {
    await signup("ty@example.com");
    const results = await Promise.all(Array.from({ length: 15 }, () => signin("ty@example.com", "a wrong guess")));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 400)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  });
});
