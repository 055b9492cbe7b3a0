import { and, eq, gt, isNull, lt, sql } from "drizzle-orm";
import type { Context } from "hono";
import type { ServiceEnv } from "../../shared/src/app";
import { sessions } from "../../../schema/tables/auth";
import type { Db } from "../../shared/src/messaging";
import { sessionExpiry, setSessionCookie, signSession } from "../../shared/src/session";

export type SessionRow = typeof sessions.$inferSelect;

const ttl = (env: Env) => Number(env.SESSION_TTL_SECONDS);

/** A new session of `userId`, to insert in the batch that signs the user in. */
export function newSession(env: Env, userId: string, now = new Date()): SessionRow {
  return {
    id: crypto.randomUUID(),
    userId,
    createdAt: now.toISOString(),
    expiresAt: sessionExpiry(ttl(env), now).toISOString(),
    revokedAt: null,
  };
}

/** What a session token says of its account: read from the account's row when the token is signed. */
export type TokenAccount = { id: string; username: string; country: string | null };

/**
 * Sets the cookie of `session`, whose row is already stored: its token expires with the row,
 * whenever it is signed. A new session's is signed as it starts (`now` defaults to its
 * start); one signed again for a live session (a changed country) lasts only what is left.
 */
export async function setSessionFor(c: Context<ServiceEnv<Env>>, account: TokenAccount, session: SessionRow, now = new Date(session.createdAt)) {
  const lifetime = Math.floor(new Date(session.expiresAt).getTime() / 1000) - Math.floor(now.getTime() / 1000);
  const user = { id: account.id, username: account.username, sessionId: session.id, country: account.country };
  setSessionCookie(c, await signSession(user, c.env.JWT_SECRET, lifetime, now), lifetime);
}

/** Whether session `sid` is over: signed out, ended by a password change, expired, or never made here. */
export async function sessionEnded(db: Db, sid: string, now = new Date()): Promise<boolean> {
  const [live] = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.id, sid), isNull(sessions.revokedAt), gt(sessions.expiresAt, now.toISOString())))
    .limit(1);
  return live === undefined;
}

/** The row of session `sid` unless it was ended early, to sign its token again. */
export const unendedSession = (db: Db, sid: string) =>
  db
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, sid), isNull(sessions.revokedAt)))
    .limit(1);

/** The sessions of `userId` still running: the ones a password change ends. */
export function liveSessions(db: Db, userId: string, now = new Date()) {
  return db
    .select({ id: sessions.id, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now.toISOString())));
}

/** Forgets sessions whose tokens have expired anyway; for the cron. */
export async function pruneSessions(db: Db, now = new Date()) {
  const result = await db.delete(sessions).where(lt(sessions.expiresAt, now.toISOString()));
  return result.meta.changes;
}

/** Ends session `sid` (at most once: the condition makes a second sign-out change nothing). */
export const revokeSession = (db: Db, sid: string, now = new Date()) =>
  db
    .update(sessions)
    .set({ revokedAt: now.toISOString() })
    .where(and(eq(sessions.id, sid), isNull(sessions.revokedAt)));

export const changedRow = sql`changes() = 1`;
