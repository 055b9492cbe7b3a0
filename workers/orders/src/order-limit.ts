import { and, eq, gt, or, sql } from "drizzle-orm";
import { orders as t } from "../../../schema/tables/orders";
import { ApiError } from "../../shared/src/errors";
import { LIVE, MAX_UNPAID_HOLDS, UNPAID, type Database } from "./db";

/** Orders one buyer may create in any 60 seconds, whatever became of them since. */
export const ORDERS_PER_MINUTE = 30;
const WINDOW_MS = 60_000;

/**
 * A buyer's limits are read off their own orders: their unpaid holds, and their orders of the
 * last minute before `now` (as `created_at`, ISO text, compares). The early read refuses a
 * buyer at either at the cost of a read, and the ordering batch inserts only within both, so
 * a buyer racing themselves cannot overshoot. An attempt that creates nothing spends nothing.
 */
export const windowStart = (now: Date) => new Date(now.getTime() - WINDOW_MS).toISOString();

/**
 * Where `userId` stands, in one row: their orders since `since` and when the oldest of them
 * was made, their unpaid holds, and their own live order for `vinylId` if they have one.
 */
export const buyerStanding = (db: Database, userId: string, since: string, vinylId: string) =>
  db
    .select({
      recent: sql<number>`count(*) filter (where ${t.createdAt} > ${since})`,
      oldest: sql<string | null>`min(${t.createdAt}) filter (where ${t.createdAt} > ${since})`,
      unpaid: sql<number>`count(*) filter (where ${UNPAID})`,
      ownLive: sql<string | null>`max(${t.id}) filter (where ${t.vinylId} = ${vinylId} and ${LIVE})`,
    })
    .from(t)
    .where(and(eq(t.userId, userId), or(UNPAID, gt(t.createdAt, since), and(eq(t.vinylId, vinylId), LIVE))));

export type Standing = { recent: number; oldest: string | null; unpaid: number };

/** The insert's condition: `userId` is under their holds and their orders a minute since `since`. */
export const withinLimits = (userId: string, since: string) =>
  sql`(select count(*) from ${t} where ${t.userId} = ${userId} and ${UNPAID}) < ${MAX_UNPAID_HOLDS}
    and (select count(*) from ${t} where ${t.userId} = ${userId} and ${t.createdAt} > ${since}) < ${ORDERS_PER_MINUTE}`;

/**
 * Refuses a buyer at a limit: 429 past their orders a minute, with `Retry-After` the seconds
 * until the oldest of them leaves the window; 409 at their unpaid holds.
 */
export function refuseOverLimits(standing: Standing, now: Date, setHeader: (name: string, value: string) => void) {
  if (standing.recent >= ORDERS_PER_MINUTE) {
    const wait = Math.ceil((Date.parse(standing.oldest!) + WINDOW_MS - now.getTime()) / 1000);
    setHeader("Retry-After", String(Math.min(WINDOW_MS / 1000, Math.max(1, wait))));
    throw new ApiError(429, "Too many orders. Try again in a minute.");
  }
  if (standing.unpaid >= MAX_UNPAID_HOLDS) {
    throw new ApiError(409, `You already hold ${MAX_UNPAID_HOLDS} records: pay for one or cancel it first`);
  }
}
