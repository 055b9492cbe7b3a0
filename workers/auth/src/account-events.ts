import { sql } from "drizzle-orm";
import { createEvent, type EventOf } from "../../../schema/events";
import { sessions, users } from "../../../schema/tables/auth";
import { stage, stageFromRow, type Db, type Staged, type StageOptions } from "../../shared/src/messaging";
import { changedRow } from "./sessions";

/**
 * What auth tells the other services: public profiles (`profile_updated`, by profile
 * version), sessions that ended early (`session_revoked`), and to notifications alone the
 * address to write to (`contact_updated`). Email addresses go nowhere else.
 */

type UserRow = typeof users.$inferSelect;

/** The profile as `profile_updated` carries it. */
export const profileData = (row: Pick<UserRow, "id" | "username" | "displayName" | "country" | "createdAt">) => ({
  userId: row.id,
  username: row.username,
  displayName: row.displayName,
  country: row.country,
  memberSince: row.createdAt,
});

/** The profile of a new account (version 0). */
export const newProfileEvent = (row: Parameters<typeof profileData>[0]) => createEvent("profile_updated", "auth", profileData(row), 0);

/** Where a new account's emails go: to the notifications service only (ROUTES). */
export const newContactEvent = (row: Pick<UserRow, "id" | "email">) => createEvent("contact_updated", "auth", { userId: row.id, email: row.email }, 0);

/**
 * `profile_updated` for `userId`, built by SQLite from the row as the batch leaves it and
 * staged only if the statement just before changed it (an edit that changed nothing
 * announces nothing).
 */
export function stageProfileUpdated(db: Db, userId: string): Staged {
  return stageFromRow(db, "profile_updated", {
    source: "auth",
    from: users,
    where: sql`${users.id} = ${userId} and ${changedRow}`,
    data: sql`json_object('userId', ${users.id}, 'username', ${users.username}, 'displayName', ${users.displayName},
      'country', ${users.country}, 'memberSince', ${users.createdAt})`,
    version: sql`${users.profileVersion}`,
  });
}

/** A session ends once, so its revocation is its version 1 (it was 0 while it ran). */
const REVOKED_VERSION = 1;

/** `session_revoked` for session `sid`, staged only if the statement just before ended it. */
export function stageSessionRevoked(db: Db, sid: string): Staged {
  return stageFromRow(db, "session_revoked", {
    source: "auth",
    from: sessions,
    where: sql`${sessions.id} = ${sid} and ${changedRow}`,
    data: sql`json_object('sessionId', ${sessions.id}, 'userId', ${sessions.userId}, 'expiresAt', ${sessions.expiresAt})`,
    version: sql`${REVOKED_VERSION}`,
  });
}

/**
 * `session_revoked` for each of `ended` (sessions of `userId`), staged in statements of a size
 * D1 takes; with `when`, only if that holds where they are staged.
 */
export function stageSessionsRevoked(db: Db, userId: string, ended: readonly { id: string; expiresAt: string }[], options: StageOptions = {}): Staged[] {
  const events: EventOf<"session_revoked">[] = ended.map((s) =>
    createEvent("session_revoked", "auth", { sessionId: s.id, userId, expiresAt: s.expiresAt }, REVOKED_VERSION),
  );
  return chunk(events, 50).map((group) => stage(db, group, options));
}

export const chunk = <T>(items: readonly T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
