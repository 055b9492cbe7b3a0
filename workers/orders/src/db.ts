import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../../schema/tables/orders";

export const database = (env: Env) => drizzle(env.ORDERS_DB, { schema });
export type Database = ReturnType<typeof database>;

// Literals, not bound parameters, and unqualified: SQLite only uses a partial index for a
// query that repeats the index's own WHERE term (schema/tables/orders.ts).

/** A live order holds its record: `created`, `awaiting_payment` or `complete`. */
export const LIVE = sql`status in ('created', 'awaiting_payment', 'complete')`;
/** A live order not yet paid, which a hold's end, a withdrawal or its buyer may still cancel. */
export const UNPAID = sql`status in ('created', 'awaiting_payment')`;

/** A setting in seconds, or `fallback` when it is unset, empty or not a positive number. */
function secondsOr(value: string | undefined, fallback: number): number {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : fallback;
}

/** How long an order holds its record: `HOLD_SECONDS`, 15 minutes unless set. */
export const holdSeconds = (env: Env) => secondsOr(env.HOLD_SECONDS, 900);

/**
 * How long past its end an unpaid hold may stay live before the cron backstop ends it:
 * `HOLD_GRACE_SECONDS`, two minutes unless set, long enough for the alarm's retries.
 */
export const holdGraceMs = (env: Env) => secondsOr(env.HOLD_GRACE_SECONDS, 120) * 1000;

/**
 * How many unpaid holds one buyer may have at once. A buyer pays for one record at a time;
 * three leaves room to decide between a few, and keeps one account from holding the shelf.
 */
export const MAX_UNPAID_HOLDS = 3;
