import { and, desc, eq, lte, sql } from "drizzle-orm";
import type { Context } from "hono";
import { signinFailures } from "../../../schema/tables/auth";
import type { ServiceEnv } from "../../shared/src/app";
import { ApiError } from "../../shared/src/errors";
import type { Db } from "../../shared/src/messaging";
import { clientKey } from "./client-address";

/**
 * Password guessing: this many failures for one email from one client within the window
 * answer 429 to that client. Counted per client so a stranger's guesses cannot lock the
 * owner out; guessing across many emails is limited per client by `SIGNIN_LIMITER`.
 */
export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_MS = 15 * 60 * 1000;

/**
 * One password check (a sign-in, or a password change by a signed-in account) counted as a
 * failure of `email` from the request's client before the password is checked, by one
 * conditional insert, so concurrent guesses cannot overtake the limit; a success erases
 * `mine`. `statements` go first in the caller's batch (stale failures of every email are
 * dropped, then `claim`: the attempt is claimed, the client's recent failures read); `judge`
 * then answers 429 with `Retry-After` if the claim was refused. `client` counts the attempt
 * under another key than the request's address.
 */
export function passwordAttempt(
  c: Context<ServiceEnv<Env>>,
  db: Db,
  email: string,
  { now = Date.now(), client = clientKey(c.req.header("cf-connecting-ip")) }: { now?: number; client?: string } = {},
) {
  const mine = and(eq(signinFailures.email, email), eq(signinFailures.client, client))!;
  const claim = [
    db
      .insert(signinFailures)
      .select(
        // Values in the table's column order; a null id takes the next autoincrement value.
        sql`select null, ${email}, ${now}, ${client}
          where (select count(*) from ${signinFailures} where ${mine}) < ${MAX_FAILURES}`,
      )
      .returning({ id: signinFailures.id }),
    db
      .select({ failedAt: signinFailures.failedAt })
      .from(signinFailures)
      .where(mine)
      .orderBy(desc(signinFailures.failedAt))
      .limit(MAX_FAILURES),
  ] as const;
  const statements = [db.delete(signinFailures).where(lte(signinFailures.failedAt, now - FAILURE_WINDOW_MS)), ...claim] as const;
  const judge = (claimed: readonly unknown[], recent: readonly { failedAt: number }[], message: string) => {
    if (claimed.length > 0) return;
    // Attempts resume once the oldest of the last MAX_FAILURES failures leaves the window.
    const oldest = recent.at(-1)?.failedAt ?? now;
    c.header("Retry-After", String(Math.max(1, Math.ceil((oldest + FAILURE_WINDOW_MS - now) / 1000))));
    throw new ApiError(429, message);
  };
  return { client, mine, claim, statements, judge };
}

/**
 * A password change's check of the current password, counted as a sign-in of the account's
 * email is: whoever holds a stolen session cookie gets no more guesses than a stranger. It is
 * counted against the session as well, under the same limit: a stolen cookie's holder cannot
 * earn fresh guesses by changing address, and the owner's other sessions keep theirs.
 */
export async function claimPasswordAttempt(c: Context<ServiceEnv<Env>>, db: Db, email: string, sessionId: string) {
  const here = passwordAttempt(c, db, email);
  const bySession = passwordAttempt(c, db, email, { client: `session:${sessionId}` });
  // One delete of stale failures serves both claims.
  const [, claimed, recent, claimedBySession, recentBySession] = await db.batch([...here.statements, ...bySession.claim]);
  const message = "Too many failed attempts. Try again later.";
  here.judge(claimed, recent, message);
  bySession.judge(claimedBySession, recentBySession, message);
}
