import { and, desc, eq, lte, sql } from "drizzle-orm";
import type { Context } from "hono";
import { signinFailures } from "../../../schema/tables/auth";
import type { ServiceEnv } from "../../shared/src/app";
import { ApiError } from "../../shared/src/errors";
import type { Db } from "../../shared/src/messaging";
import { clientKey } from "./client-address";
import { FAILURE_WINDOW_MS, MAX_FAILURES } from "./routes/users";

/**
 * Counts a password check for an account that is already signed in (a password change) as
 * a failed sign-in of its email from this client, before the password is checked, as
 * sign-in does: whoever holds a stolen session cookie gets no more guesses at the password
 * than a stranger, and a stranger's failed sign-ins elsewhere cannot lock the owner out of
 * changing it. Over the limit it answers 429 with `Retry-After`. A successful change erases
 * the failures.
 */
export async function claimPasswordAttempt(c: Context<ServiceEnv<Env>>, db: Db, email: string, now = Date.now()) {
  const client = clientKey(c.req.header("cf-connecting-ip"));
  const mine = and(eq(signinFailures.email, email), eq(signinFailures.client, client))!;
  const [, claimed, recent] = await db.batch([
    db.delete(signinFailures).where(lte(signinFailures.failedAt, now - FAILURE_WINDOW_MS)),
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
  ]);
  if (claimed.length > 0) return;
  const oldest = recent.at(-1)?.failedAt ?? now;
  c.header("Retry-After", String(Math.max(1, Math.ceil((oldest + FAILURE_WINDOW_MS - now) / 1000))));
  throw new ApiError(429, "Too many failed attempts. Try again later.");
}
