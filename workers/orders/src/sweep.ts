import { and, asc, eq, lt } from "drizzle-orm";
import { orders } from "../../../schema/tables/orders";
import { log } from "../../shared/src/log";
import { commit, type Publisher } from "../../shared/src/messaging";
import { UNPAID, type Database } from "./db";
import { cancelled, changeOrder } from "./order-events";

/** Orders one run ends: two statements each, well inside D1's per-invocation query limit. The next run takes the rest. */
export const OVERDUE_PER_RUN = 25;

/**
 * The backstop for holds whose alarm never made it here (the expiration Worker down, an
 * alarm that ran out of retries, an event lost before its outbox): every unpaid order more
 * than `graceMs` (`holdGraceMs`: two minutes) past `expiresAt` ends as `expired`, with its
 * `order_cancelled`. Each cancel is guarded by the same condition inside the batch, so an
 * order paid or cancelled since it was read is left alone.
 */
export async function expireOverdue(db: Database, publisher: Publisher, now: number, graceMs: number) {
  const cutoff = new Date(now - graceMs).toISOString();
  const overdue = and(UNPAID, lt(orders.expiresAt, cutoff))!;
  const due = await db
    .select({ id: orders.id })
    .from(orders)
    .where(overdue)
    .orderBy(asc(orders.expiresAt))
    .limit(OVERDUE_PER_RUN);
  if (due.length === 0) return 0;
  await commit(
    db,
    due.flatMap(({ id }) => changeOrder(db, and(eq(orders.id, id), overdue)!, cancelled("expired"), "order_cancelled")),
    publisher,
  );
  log.warn("overdue holds expired by the backstop", { orders: due.length, more: due.length === OVERDUE_PER_RUN });
  return due.length;
}
