import { eq, lt, sql } from "drizzle-orm";
import type { EventOf } from "../../../schema/events";
import { profiles, revokedSessions } from "../../../schema/tables/replicas";
import type { Db, Effect } from "./messaging";

/**
 * Handlers for auth's events, the same in every service that keeps the replicas
 * (schema/tables/replicas.ts). Each is idempotent and order-free: a revocation is only ever
 * added, and a profile only moves to a newer version.
 */

export function applySessionRevoked(db: Db, event: EventOf<"session_revoked">): Effect {
  const { sessionId, userId, expiresAt } = event.data;
  return { statements: [db.insert(revokedSessions).values({ sessionId, userId, expiresAt }).onConflictDoNothing()] };
}

export function applyProfileUpdated(db: Db, event: EventOf<"profile_updated">): Effect {
  const { userId, username, displayName, country, memberSince } = event.data;
  const row = { userId, username, displayName, country, memberSince, version: event.version };
  return {
    statements: [
      db
        .insert(profiles)
        .values(row)
        .onConflictDoUpdate({
          target: profiles.userId,
          set: { username, displayName, country, memberSince, version: event.version },
          setWhere: sql`excluded.version > ${profiles.version}`,
        }),
    ],
  };
}

/** The lookup of session `sid` among the revoked ones (one primary-key read), to run alone or in a batch. */
export const revocationOf = (db: Db, sessionId: string) =>
  db.select({ sessionId: revokedSessions.sessionId }).from(revokedSessions).where(eq(revokedSessions.sessionId, sessionId)).limit(1);

/** Whether the session `sid` was ended early. */
export async function isRevoked(db: Db, sessionId: string): Promise<boolean> {
  const [row] = await revocationOf(db, sessionId);
  return row !== undefined;
}

/** Forgets revocations of tokens that have expired anyway; for a service's cron. */
export async function pruneRevokedSessions(db: Db, now = new Date()) {
  await db.delete(revokedSessions).where(lt(revokedSessions.expiresAt, now.toISOString()));
}
