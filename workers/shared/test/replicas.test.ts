import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createEvent } from "../../../schema/events";
import { profiles, revokedSessions } from "../../../schema/tables/replicas";
import type { Effect, Statement } from "../src/messaging";
import { applyProfileUpdated, applySessionRevoked, isRevoked, pruneRevokedSessions } from "../src/replicas";
import { database } from "./messaging/fixture/worker";

const db = database(env);

/** Commits an inbox handler's effect, as the consumer does. */
const run = async (effect: Effect) => {
  await db.batch(effect.statements as [Statement, ...Statement[]]);
};

const revoked = (sessionId: string, expiresAt: Date, userId = crypto.randomUUID()) =>
  createEvent("session_revoked", "auth", { sessionId, userId, expiresAt: expiresAt.toISOString() }, 1);

const profile = (userId: string, version: number, displayName: string | null) =>
  createEvent(
    "profile_updated",
    "auth",
    { userId, username: `user-${userId.slice(0, 8)}`, displayName, country: "NL", memberSince: "2026-01-01T00:00:00.000Z" },
    version,
  );

const inAnHour = () => new Date(Date.now() + 3_600_000);

describe("revoked sessions", () => {
  it("answers true for a session once its session_revoked is applied, and false for any other", async () => {
    const [ended, running] = [crypto.randomUUID(), crypto.randomUUID()];
    expect(await isRevoked(db, ended)).toBe(false);
    await run(applySessionRevoked(db, revoked(ended, inAnHour())));
    expect(await isRevoked(db, ended)).toBe(true);
    expect(await isRevoked(db, running)).toBe(false);
  });

  it("applies the same revocation twice without error", async () => {
    const sid = crypto.randomUUID();
    await run(applySessionRevoked(db, revoked(sid, inAnHour())));
    await run(applySessionRevoked(db, revoked(sid, inAnHour())));
    expect(await db.select().from(revokedSessions)).toContainEqual(expect.objectContaining({ sessionId: sid }));
    expect(await isRevoked(db, sid)).toBe(true);
  });

  it("forgets revocations of tokens that have expired anyway, and keeps the others", async () => {
    const [old, live] = [crypto.randomUUID(), crypto.randomUUID()];
    await run(applySessionRevoked(db, revoked(old, new Date(Date.now() - 1000))));
    await run(applySessionRevoked(db, revoked(live, inAnHour())));
    await pruneRevokedSessions(db);
    expect(await isRevoked(db, old)).toBe(false);
    expect(await isRevoked(db, live)).toBe(true);
  });
});

describe("profiles", () => {
  const row = async (userId: string) => (await db.select().from(profiles)).find((p) => p.userId === userId);

  it("keeps the newest version whatever order the events arrive in", async () => {
    const userId = crypto.randomUUID();
    await run(applyProfileUpdated(db, profile(userId, 2, "Second")));
    await run(applyProfileUpdated(db, profile(userId, 0, "First")));
    await run(applyProfileUpdated(db, profile(userId, 1, "Between")));
    expect(await row(userId)).toMatchObject({ displayName: "Second", version: 2 });
    await run(applyProfileUpdated(db, profile(userId, 3, null)));
    expect(await row(userId)).toMatchObject({ displayName: null, country: "NL", version: 3 });
  });
});
