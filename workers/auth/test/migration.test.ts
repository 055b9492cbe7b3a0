import { applyD1Migrations, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { eventEnvelope } from "../../../schema/events";
import { USERNAME_PATTERN } from "../../../schema/vocabulary";
import { hashPassword } from "../src/password";
import { signin, signup, type UserBody } from "./client";

const PASSWORD = "an account from before";
const migrations = env.TEST_MIGRATIONS.AUTH_DB!;
const [initial, ...later] = migrations;

/** Accounts as they were before usernames: email, password and creation time only. */
const LEGACY = [
  "legacy.one@example.com",
  "legacy.one@other.example",
  "jo@example.com",
  "___@example.com",
  `${"long".repeat(10)}@example.com`,
  "demo-seller@oscillation.test",
];

// Storage is isolated per test file: this file rebuilds its database from before the
// accounts migration, adds accounts as they were then, and migrates again.
beforeAll(async () => {
  const { results } = await env.AUTH_DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").all<{ name: string }>();
  for (const { name } of results) await env.AUTH_DB.exec(`DROP TABLE IF EXISTS "${name}"`);
  await applyD1Migrations(env.AUTH_DB, [initial!]);
  const { hash, salt, iterations } = await hashPassword(PASSWORD);
  const insert = env.AUTH_DB.prepare(
    "INSERT INTO users (id, email, password_hash, password_salt, password_iterations, created_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  await env.AUTH_DB.batch(
    LEGACY.map((email, i) => insert.bind(crypto.randomUUID(), email, hash, salt, iterations, new Date(Date.UTC(2025, 0, 1 + i)).toISOString())),
  );
  await applyD1Migrations(env.AUTH_DB, migrations);
  expect(later.length).toBeGreaterThan(0);
});

const usernames = async () => {
  const { results } = await env.AUTH_DB.prepare("SELECT id, email, username, profile_version FROM users ORDER BY created_at").all<{
    id: string;
    email: string;
    username: string;
    profile_version: number;
  }>();
  return results;
};

describe("the accounts migration", () => {
  it("gives every existing account a username from its email, as sign-up would, distinct where they clash", async () => {
    const rows = await usernames();
    expect(rows.map((r) => r.username)).toEqual([
      "legacy-one",
      `legacy-one-${rows[1]!.id.slice(0, 8)}`,
      "jo0",
      "user",
      "long".repeat(10).slice(0, 30),
      "demo-seller",
    ]);
    for (const row of rows) {
      expect(row.username).toMatch(USERNAME_PATTERN);
      expect(row.profile_version).toBe(0);
    }
  });

  it("announces every existing profile once, version 0, to catalog and orders, numbered from 1 for each", async () => {
    const rows = await usernames();
    const { results } = await env.AUTH_DB.prepare("SELECT event_id, destination, seq, body, sent_at FROM outbox ORDER BY destination, seq").all<{
      event_id: string;
      destination: string;
      seq: number;
      body: string;
      sent_at: number | null;
    }>();
    for (const destination of ["catalog", "orders"]) {
      const mine = results.filter((r) => r.destination === destination);
      expect(mine.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      const events = mine.map((r) => eventEnvelope.parse(JSON.parse(r.body)));
      expect(events.map((e) => e.data)).toEqual(
        rows.map((r, i) => ({ userId: r.id, username: r.username, displayName: null, country: null, memberSince: new Date(Date.UTC(2025, 0, 1 + i)).toISOString() })),
      );
      for (const event of events) expect(event).toMatchObject({ type: "profile_updated", source: "auth", version: 0 });
      expect(mine.every((r) => r.sent_at === null)).toBe(true);
      expect(mine.map((r) => r.body).join()).not.toContain("@");
    }
    // One event per account, the same id for both inboxes.
    expect(new Set(results.filter((r) => r.destination !== "notifications").map((r) => r.event_id)).size).toBe(rows.length);
  });

  it("announces every existing account's address and profile to notifications alone, numbered from 1", async () => {
    const rows = await usernames();
    const { results } = await env.AUTH_DB.prepare("SELECT event_id, seq, body, sent_at FROM outbox WHERE destination = 'notifications' ORDER BY seq").all<{
      event_id: string;
      seq: number;
      body: string;
      sent_at: number | null;
    }>();
    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: rows.length * 2 }, (_, i) => i + 1));
    expect(results.every((r) => r.sent_at === null)).toBe(true);
    const events = results.map((r) => eventEnvelope.parse(JSON.parse(r.body)));
    expect(events.filter((e) => e.type === "contact_updated").map((e) => [e.data, e.version])).toEqual(rows.map((r) => [{ userId: r.id, email: r.email }, 0]));
    expect(events.filter((e) => e.type === "profile_updated").map((e) => e.data)).toEqual(
      rows.map((r, i) => ({ userId: r.id, username: r.username, displayName: null, country: null, memberSince: new Date(Date.UTC(2025, 0, 1 + i)).toISOString() })),
    );
    // Addresses go to notifications only.
    const elsewhere = await env.AUTH_DB.prepare("SELECT count(*) AS n FROM outbox WHERE destination <> 'notifications' AND type = 'contact_updated'").first<{ n: number }>();
    expect(elsewhere!.n).toBe(0);
    expect(new Set(results.map((r) => r.event_id)).size).toBe(results.length);
  });

  it("leaves a migrated account able to sign in, and new sign-ups numbered after it", async () => {
    const [jo] = (await usernames()).filter((r) => r.email === "jo@example.com");
    const res0 = await signin("jo@example.com", PASSWORD);
    expect(res0.status).toBe(200);
    expect(await res0.json()).toEqual({ id: jo!.id, email: "jo@example.com", username: "jo0" });
    const res = await signup("legacy.one@new.example");
    expect((await res.json<UserBody>()).username).toBe("legacy-one2");
    const { results } = await env.AUTH_DB.prepare("SELECT max(seq) AS seq FROM outbox WHERE destination = 'catalog'").all<{ seq: number }>();
    expect(results[0]!.seq).toBe(LEGACY.length + 1);
  });
});
