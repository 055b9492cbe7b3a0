import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { EventOf } from "../../../schema/events";
import { openResetToken } from "../../shared/src/reset-link-seal";
import { inOneRateWindow } from "../../shared/test/rate-window";
import { newResetToken, resetTokenHash } from "../src/reset-tokens";
import { MAX_RESETS_PER_WINDOW, RESET_TTL_MS } from "../src/routes/password-resets";
import {
  eventsFor,
  newClient,
  outboxEvents,
  parseSetCookie,
  post,
  sessionCookie,
  signin,
  signup,
  tokenOf,
  whoAmI,
  type ErrorBody,
  type UserBody,
} from "./client";

const OLD = "the old password";
const NEW = "a brand new password";
const INVALID = { errors: [{ field: "token", message: "This reset link is invalid or has expired" }] };

const requestReset = (email: unknown, client = newClient()) => post("password-reset", { email }, { "cf-connecting-ip": client });
const confirmReset = (body: unknown) => post("password-reset/confirm", body);

/** An account signed in on two browsers. */
async function account(prefix: string) {
  const email = `${prefix}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const first = await signup(email, OLD);
  const user = await first.json<UserBody>();
  return { ...user, cookies: [sessionCookie(first), sessionCookie(await signin(email, OLD))] };
}

/** The `password_reset_requested` events staged for `userId`, once each, with the inboxes they go to. */
async function resetEvents(userId: string) {
  const rows = (await outboxEvents("password_reset_requested")).filter((r) => (r.event.data as { userId: string }).userId === userId);
  const events = new Map<string, { event: EventOf<"password_reset_requested">; to: string[] }>();
  for (const row of rows) {
    const entry = events.get(row.event_id) ?? { event: row.event as EventOf<"password_reset_requested">, to: [] };
    entry.to.push(row.destination);
    events.set(row.event_id, entry);
  }
  return [...events.values()];
}

/** Asks for a reset for `email` and answers the token the email would carry. */
async function resetToken(userId: string, email: string) {
  const before = (await resetEvents(userId)).length;
  expect((await requestReset(email)).status).toBe(202);
  const events = await resetEvents(userId);
  expect(events).toHaveLength(before + 1);
  return (await openResetToken(events.at(-1)!.event.data.sealedToken, env.JWT_SECRET))!;
}

describe("POST /api/users/password-reset", () => {
  it("answers 202 {} alike for an email with an account and one without", async () => {
    const me = await account("known");
    const known = await requestReset(me.email);
    const unknown = await requestReset(`nobody-${crypto.randomUUID().slice(0, 8)}@example.com`);
    for (const res of [known, unknown]) {
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({});
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.has("set-cookie")).toBe(false);
    }
  });

  it("stages password_reset_requested for an account, to notifications only, with a link valid 30 minutes", async () => {
    const me = await account("staged");
    const before = Date.now();
    expect((await requestReset(`  ${me.email.toUpperCase()} `)).status).toBe(202);
    const [staged, ...more] = await resetEvents(me.id);
    expect(more).toEqual([]);
    expect(staged!.to).toEqual(["notifications"]);
    expect(staged!.event).toMatchObject({ type: "password_reset_requested", source: "auth", version: 0 });
    expect(await openResetToken(staged!.event.data.sealedToken, env.JWT_SECRET)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const expires = Date.parse(staged!.event.data.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + RESET_TTL_MS);
    expect(expires).toBeLessThanOrEqual(Date.now() + RESET_TTL_MS);
    expect(JSON.stringify(staged!.event)).not.toContain("@");
  });

  it("stages nothing for an email without an account", async () => {
    const before = (await outboxEvents("password_reset_requested")).length;
    expect((await requestReset(`ghost-${crypto.randomUUID().slice(0, 8)}@example.com`)).status).toBe(202);
    expect(await outboxEvents("password_reset_requested")).toHaveLength(before);
  });

  it("keeps only the token's SHA-256, never the token", async () => {
    const me = await account("hashed");
    const token = await resetToken(me.id, me.email);
    const { results } = await env.AUTH_DB.prepare("SELECT * FROM password_resets WHERE user_id = ?").bind(me.id).all<Record<string, unknown>>();
    expect(results).toHaveLength(1);
    expect(results[0]!.token_hash).toBe(await resetTokenHash(token));
    expect(JSON.stringify(results)).not.toContain(token);
  });

  it("keeps the token sealed in its outbox: no row there holds it, and only JWT_SECRET opens it", async () => {
    const me = await account("sealed");
    const token = await resetToken(me.id, me.email);
    const { results } = await env.AUTH_DB.prepare("SELECT * FROM outbox").all<Record<string, unknown>>();
    expect(results.filter((r) => r.type === "password_reset_requested" && String(r.body).includes(me.id))).toHaveLength(1);
    expect(JSON.stringify(results)).not.toContain(token);
    const [event] = (await resetEvents(me.id)).map((e) => e.event);
    expect(await openResetToken(event!.data.sealedToken, "another secret")).toBeNull();
  });

  it(`sends at most ${MAX_RESETS_PER_WINDOW} links an hour per account; the next request is still 202 and stages nothing`, async () => {
    const me = await account("capped");
    for (let i = 0; i < MAX_RESETS_PER_WINDOW; i++) expect((await requestReset(me.email)).status).toBe(202);
    expect(await resetEvents(me.id)).toHaveLength(MAX_RESETS_PER_WINDOW);
    const over = await requestReset(me.email);
    expect(over.status).toBe(202);
    expect(await over.json()).toEqual({});
    expect(await resetEvents(me.id)).toHaveLength(MAX_RESETS_PER_WINDOW);
  });

  it("counts only the last hour toward the cap", async () => {
    const me = await account("window");
    const longAgo = new Date(Date.now() - 61 * 60 * 1000).toISOString();
    const insert = env.AUTH_DB.prepare("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)");
    await env.AUTH_DB.batch(Array.from({ length: MAX_RESETS_PER_WINDOW }, (_, i) => insert.bind(`old-${me.id}-${i}`, me.id, longAgo, longAgo)));
    await resetToken(me.id, me.email);
  });

  it("answers a client's 6th request within a minute with 429 and Retry-After; another client is still answered", async () => {
    const client = "198.51.100.41";
    await inOneRateWindow();
    const me = await account("flood");
    for (let i = 0; i < 5; i++) expect((await requestReset(`flood-${i}@example.com`, client)).status).toBe(202);
    const refused = await requestReset(me.email, client);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBe(60);
    expect((await refused.json<ErrorBody>()).errors).toEqual([{ message: "Too many password reset requests. Try again in a minute." }]);
    expect(await resetEvents(me.id)).toEqual([]);
    expect((await requestReset(me.email, "198.51.100.42")).status).toBe(202);
  });

  it.each([
    ["no email", {}],
    ["a malformed email", { email: "not-an-email" }],
    ["an email that is a number", { email: 42 }],
    ["an overlong email", { email: `${"a".repeat(250)}@example.com` }],
  ])("answers 400 on email for %s", async (_, body) => {
    const res = await post("password-reset", body);
    expect(res.status).toBe(400);
    expect((await res.json<ErrorBody>()).errors.map((e) => e.field)).toEqual(["email"]);
  });

  it("answers 400 for a body that is not a JSON object", async () => {
    expect((await post("password-reset", ["a@example.com"])).status).toBe(400);
  });
});

describe("POST /api/users/password-reset/confirm", () => {
  it("sets the new password, signs this browser in, and ends every other session", async () => {
    const me = await account("confirm");
    const stranger = sessionCookie(await signup(`stranger-${crypto.randomUUID().slice(0, 8)}@example.com`));
    const token = await resetToken(me.id, me.email);
    const res = await confirmReset({ token, newPassword: NEW });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: me.id, email: me.email, username: me.username });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(parseSetCookie(res)!.attributes.has("httponly")).toBe(true);
    const fresh = sessionCookie(res);
    expect((await whoAmI(fresh))!.id).toBe(me.id);
    for (const cookie of me.cookies) expect(await whoAmI(cookie)).toBeNull();
    expect(await whoAmI(stranger)).not.toBeNull();

    expect((await signin(me.email, OLD)).status).toBe(400);
    expect((await signin(me.email, NEW)).status).toBe(200);

    const revoked = await eventsFor("session_revoked", me.id);
    expect(revoked.map((e) => e.data.sessionId).sort()).toEqual(me.cookies.map((c) => tokenOf(c).sessionId).sort());
    for (const event of revoked) expect(event).toMatchObject({ source: "auth", version: 1 });
  });

  it("works once: the same link a second time is 400 and changes nothing", async () => {
    const me = await account("once");
    const token = await resetToken(me.id, me.email);
    const first = await confirmReset({ token, newPassword: NEW });
    expect(first.status).toBe(200);
    const again = await confirmReset({ token, newPassword: "a third password" });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual(INVALID);
    expect(again.headers.has("set-cookie")).toBe(false);
    expect(await whoAmI(sessionCookie(first))).not.toBeNull();
    expect((await signin(me.email, NEW)).status).toBe(200);
  });

  it("lets one of two concurrent uses of a link win", async () => {
    const me = await account("race");
    const token = await resetToken(me.id, me.email);
    const answers = await Promise.all(["first racer pass", "second racer pass"].map((newPassword) => confirmReset({ token, newPassword })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
    const winner = answers.findIndex((r) => r.status === 200);
    const password = ["first racer pass", "second racer pass"][winner]!;
    expect((await signin(me.email, password)).status).toBe(200);
    expect(await whoAmI(sessionCookie(answers[winner]!))).not.toBeNull();
  });

  it("voids the account's other unused links once one is used", async () => {
    const me = await account("others");
    const older = await resetToken(me.id, me.email);
    const newer = await resetToken(me.id, me.email);
    expect((await confirmReset({ token: newer, newPassword: NEW })).status).toBe(200);
    expect(await (await confirmReset({ token: older, newPassword: "a third password" })).json()).toEqual(INVALID);
    expect((await signin(me.email, NEW)).status).toBe(200);
  });

  it("refuses an expired link with 400", async () => {
    const me = await account("expired");
    const token = newResetToken();
    const past = new Date(Date.now() - 1000).toISOString();
    await env.AUTH_DB.prepare("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
      .bind(await resetTokenHash(token), me.id, new Date(Date.now() - RESET_TTL_MS - 1000).toISOString(), past)
      .run();
    const res = await confirmReset({ token, newPassword: NEW });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(INVALID);
    expect((await signin(me.email, OLD)).status).toBe(200);
    for (const cookie of me.cookies) expect(await whoAmI(cookie)).not.toBeNull();
  });

  it("refuses a token it never issued with 400", async () => {
    const res = await confirmReset({ token: "A".repeat(43), newPassword: NEW });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(INVALID);
  });

  it("lets an account locked by failed sign-ins sign in with the new password", async () => {
    const me = await account("locked");
    const client = newClient();
    for (let i = 0; i < 10; i++) expect((await signin(me.email, "a wrong guess", client)).status).toBe(400);
    expect((await signin(me.email, OLD, client)).status).toBe(429);
    const token = await resetToken(me.id, me.email);
    expect((await confirmReset({ token, newPassword: NEW })).status).toBe(200);
    expect((await signin(me.email, NEW, client)).status).toBe(200);
  });

  it.each([
    ["no token", { newPassword: NEW }, "token"],
    ["a malformed token", { token: "short", newPassword: NEW }, "token"],
    ["a token that is a number", { token: 7, newPassword: NEW }, "token"],
    ["a new password of 7 characters", { token: "A".repeat(43), newPassword: "x".repeat(7) }, "newPassword"],
    ["a new password of 129 characters", { token: "A".repeat(43), newPassword: "x".repeat(129) }, "newPassword"],
    ["a new password with a lone surrogate", { token: "A".repeat(43), newPassword: "abcdefgh\ud800" }, "newPassword"],
    ["no new password", { token: "A".repeat(43) }, "newPassword"],
  ])("answers 400 on the field for %s", async (_, body, field) => {
    const res = await confirmReset(body);
    expect(res.status).toBe(400);
    expect((await res.json<ErrorBody>()).errors.map((e) => e.field)).toContain(field);
  });

  it("checks the new password before the link: a valid link with a short password stays usable", async () => {
    const me = await account("short");
    const token = await resetToken(me.id, me.email);
    expect((await confirmReset({ token, newPassword: "short" })).status).toBe(400);
    expect((await confirmReset({ token, newPassword: NEW })).status).toBe(200);
  });
});
