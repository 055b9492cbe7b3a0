import { sql, type SQL } from "drizzle-orm";
import type { CANCEL_REASONS, ORDER_STATUSES } from "../../../schema/events";
import { orders } from "../../../schema/tables/orders";
import { stageFromRow, type Db, type Staged, type Statement } from "../../shared/src/messaging";

type OrderEventType = "order_created" | "order_cancelled" | "order_completed";

/** The state a change leaves an order in; the event announces it with the next version. */
export type Transition = {
  status: (typeof ORDER_STATUSES)[number];
  cancelReason: (typeof CANCEL_REASONS)[number] | null;
};

export const cancelled = (reason: (typeof CANCEL_REASONS)[number]): Transition => ({ status: "cancelled", cancelReason: reason });
export const COMPLETE: Transition = { status: "complete", cancelReason: null };
export const AWAITING_PAYMENT: Transition = { status: "awaiting_payment", cancelReason: null };

/** The columns an update to `next` sets: every change moves the version on by one. */
export const moveTo = (next: Transition) => ({
  status: next.status,
  cancelReason: next.cancelReason,
  version: sql`${orders.version} + 1`,
  updatedAt: new Date().toISOString(),
});

/**
 * The `type` event about the order matching `where` (at most one), staged from the row.
 *
 * Without `next` the event describes the row as it is (a just-inserted order). With `next`
 * it describes the row as the update that follows it in the same batch, with the same
 * `where`, will leave it: staged before that update, both see the same rows, so the event
 * exists exactly when the change happens.
 */
export function stageOrderEvent(db: Db, type: OrderEventType, where: SQL, next?: Transition): Staged {
  const version = next ? sql`${orders.version} + 1` : sql`${orders.version}`;
  const status = next ? sql`${next.status}` : sql`${orders.status}`;
  const cancelReason = next ? sql`${next.cancelReason}` : sql`${orders.cancelReason}`;
  // The fields and their order are orderData's (schema/events.ts).
  const data = sql`json_object('id', ${orders.id}, 'userId', ${orders.userId}, 'sellerId', ${orders.sellerId}, 'status', ${status},
    'cancelReason', ${cancelReason}, 'expiresAt', ${orders.expiresAt},
    'vinyl', json_object('id', ${orders.vinylId}, 'title', ${orders.vinylTitle},
      'priceCents', ${orders.priceCents}, 'currency', ${orders.currency}),
    'version', ${version}, 'createdAt', ${orders.createdAt})`;
  return stageFromRow(db, type, { source: "orders", from: orders, where, data, version });
}

/**
 * Moves the order matching `where` to `next`, announcing it with `type`: the items for one
 * batch (`commit`, or an inbox effect). Nothing happens, and nothing is announced, when no
 * order matches at that point of the batch.
 */
export function changeOrder(db: Db, where: SQL, next: Transition, type?: OrderEventType): (Statement | Staged)[] {
  const update = db.update(orders).set(moveTo(next)).where(where);
  return type ? [stageOrderEvent(db, type, where, next), update] : [update];
}
