import { sql, type SQL } from "drizzle-orm";
import { ROUTES, type CANCEL_REASONS, type ORDER_STATUSES } from "../../../schema/events";
import { orders, outbox } from "../../../schema/tables/orders";
import { type Db, type Statement } from "../../shared/src/outbox";

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
 * Moves the order matching `where` to `next` and stages the `type` event announcing it,
 * both in the statements returned, for one batch. Nothing happens, and nothing is
 * announced, when no order matches at that point of the batch.
 */
export function changeOrder(db: Db, where: SQL, next: Transition, type?: OrderEventType) {
  const staged = type ? stageOrderEvent(db, type, where, next) : undefined;
  const update = db.update(orders).set(moveTo(next)).where(where);
  return { eventIds: staged ? [staged.eventId] : [], statements: staged ? [staged.statement, update] : [update] };
}

/**
 * One outbox statement for a `type` event about the order matching `where`, for every
 * subscriber inbox. SQLite builds the envelope from the row itself, so the event can never
 * disagree with what the batch commits, and no request has to read the order first.
 *
 * Without `next` the event describes the row as it is (a just-inserted order). With `next`
 * it describes the row as the update that follows it in the same batch, with the same
 * `where`, will leave it: staged before that update, both see the same rows, so the event
 * exists exactly when the change happens. `where` must match at most one order.
 */
export function stageOrderEvent(db: Db, type: OrderEventType, where: SQL, next?: Transition) {
  const eventId = crypto.randomUUID();
  const version = next ? sql`${orders.version} + 1` : sql`${orders.version}`;
  const status = next ? sql`${next.status}` : sql`${orders.status}`;
  const cancelReason = next ? sql`${next.cancelReason}` : sql`${orders.cancelReason}`;
  // The fields and their order are orderData's (schema/events.ts).
  const data = sql`json_object('id', ${orders.id}, 'userId', ${orders.userId}, 'status', ${status},
    'cancelReason', ${cancelReason}, 'expiresAt', ${orders.expiresAt},
    'vinyl', json_object('id', ${orders.vinylId}, 'title', ${orders.vinylTitle},
      'priceCents', ${orders.priceCents}, 'currency', ${orders.currency}),
    'version', ${version}, 'createdAt', ${orders.createdAt})`;
  const body = sql`json_object('id', ${eventId}, 'type', ${type}, 'version', ${version},
    'occurredAt', ${new Date().toISOString()}, 'source', 'orders', 'data', ${data})`;
  // One row per subscriber from one statement; the values in the outbox's column order,
  // which insert … select requires.
  const statement: Statement = db
    .insert(outbox)
    .select(
      sql`select ${eventId}, destination.value, ${type}, ${body}, ${Date.now()}
        from ${orders}, json_each(${JSON.stringify(ROUTES[type])}) as destination where ${where}`,
    );
  return { eventId, statement };
}

