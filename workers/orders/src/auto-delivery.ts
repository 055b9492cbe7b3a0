import { and, asc, eq, lt } from "drizzle-orm";
import { AUTO_DELIVER_DAYS } from "../../../schema/vocabulary";
import { fulfilments as f } from "../../../schema/tables/orders";
import { log } from "../../shared/src/log";
import { commit, type Publisher } from "../../shared/src/messaging";
import type { Database } from "./db";
import { deliver } from "./fulfilment-changes";

/** Orders one run marks delivered: four statements each with its event's number; the next run takes the rest. */
export const DELIVERED_PER_RUN = 25;

/**
 * Shipments the buyer never confirmed count as delivered `AUTO_DELIVER_DAYS` after
 * shipping: each such order becomes `delivered` as of `now` (the cron's time), with its
 * `order_updated`. Every step is guarded inside the batch, so a buyer who confirmed
 * meanwhile is left alone.
 */
export async function deliverOverdue(db: Database, publisher: Publisher, now: number) {
  const shippedBefore = new Date(now - AUTO_DELIVER_DAYS * 24 * 60 * 60 * 1000).toISOString();
  const due = await db
    .select({ orderId: f.orderId })
    .from(f)
    .where(and(eq(f.status, "shipped"), lt(f.shippedAt, shippedBefore)))
    .orderBy(asc(f.shippedAt))
    .limit(DELIVERED_PER_RUN);
  if (due.length === 0) return 0;
  const deliveredAt = new Date(now).toISOString();
  await commit(
    db,
    due.flatMap(({ orderId }) => deliver(db, orderId, { shippedBefore, deliveredAt })),
    publisher,
  );
  log.info("shipments delivered automatically", { orders: due.length, more: due.length === DELIVERED_PER_RUN });
  return due.length;
}
