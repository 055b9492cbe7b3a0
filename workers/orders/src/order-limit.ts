import { and, eq, gt, or, sql } from "drizzle-orm";
import { orders as t } from "../../../schema/tables/orders";
import { ApiError } from "../../shared/src/errors";
import { UNPAID, type Database } from "./db";

/** Orders one buyer may create in any 60 seconds, whatever became of them since. */
export const ORDERS_PER_MINUTE = 30;
const WINDOW_MS = 60_000;

/**
 * The buyer's rate is read off their own orders: the window is the last minute before `now`,
 * as `created_at` (ISO text) compares. The early read refuses a buyer over it at the cost of
 * a read, and the ordering batch inserts only while the count is under it, so buyers racing
 * themselves cannot overshoot. An attempt that creates nothing spends nothing.
 */
export const windowStart = (now: Date) => new Date(now.getTime() - WINDOW_MS).toISOString();

/** Orders `userId` created since `since`: how many, and when the oldest of them was made. */
export const recentOrdersOf = (db: Database, userId: string, since: string) =>
  db
    .select({
      recent: sql<number>`count(*) filter (where ${t.createdAt} > ${since})`,
      oldest: sql<string | null>`min(${t.createdAt}) filter (where ${t.createdAt} > ${since})`,
      unpaid: sql<number>`count(*) filter (where ${UNPAID})`,
    })
    .from(t)
    .where(and(eq(t.userId, userId), or(UNPAID, gt(t.createdAt, since))));

/** The insert's condition: fewer than the budget created by `userId` since `since`. */
export const underBudget = (userId: string, since: string) =>
  sql`(select count(*) from ${t} where ${t.userId} = ${userId} and ${t.createdAt} > ${since}) < ${ORDERS_PER_MINUTE}`;

/**
 * 429 for a buyer whose oldest order of the window was made at `oldest`, with `Retry-After`
 * the seconds until it leaves the window and an order may be made again.
 */
export function tooManyOrders(oldest: string, now: Date, setHeader: (name: string, value: string) => void): ApiError {
  const wait = Math.ceil((Date.parse(oldest) + WINDOW_MS - now.getTime()) / 1000);
  setHeader("Retry-After", String(Math.min(WINDOW_MS / 1000, Math.max(1, wait))));
  return new ApiError(429, "Too many orders. Try again in a minute.");
}
