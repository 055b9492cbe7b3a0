import { sql, type SQL } from "drizzle-orm";
import type { CANCEL_REASONS, FULFILMENT_STATUSES, ORDER_STATUSES } from "../../../schema/events";
import { fulfilments, orders, shippingAddresses } from "../../../schema/tables/orders";
import { stageFromRow, type Db, type Staged, type Statement } from "../../shared/src/messaging";

type OrderEventType = "order_created" | "order_cancelled" | "order_completed" | "order_updated";

/** The state a change leaves an order in; the event announces it with the next version. */
export type Transition = {
  status: (typeof ORDER_STATUSES)[number];
  cancelReason: (typeof CANCEL_REASONS)[number] | null;
};

/**
 * What a change writes beside the `orders` row (in `fulfilments`), for the event staged
 * before it to announce. Anything not named here the event reads as the batch has it then.
 */
export type FulfilmentChange = {
  fulfilment?: (typeof FULFILMENT_STATUSES)[number];
  shipment?: { carrier: string; trackingNumber: string; shippedAt: string };
  deliveredAt?: string;
};

/** Any change of an order: a status transition, fulfilment written after the event, or neither (just the next version). */
export type OrderChange = Partial<Transition> & FulfilmentChange;

export const cancelled = (reason: (typeof CANCEL_REASONS)[number]): Transition => ({ status: "cancelled", cancelReason: reason });
/** Paid: the record waits to be shipped (the consumer writes its `fulfilments` row in the same batch, before this). */
export const COMPLETE: Transition = { status: "complete", cancelReason: null };
export const AWAITING_PAYMENT: Transition = { status: "awaiting_payment", cancelReason: null };

/** The columns an update to `next` sets: every change moves the version on by one. */
export const moveTo = (next: Partial<Transition> = {}) => ({
  ...(next.status && { status: next.status, cancelReason: next.cancelReason ?? null }),
  version: sql`${orders.version} + 1`,
  updatedAt: new Date().toISOString(),
});

/** The order's row in another table, by the order's id: for reading one column in the event. */
const ofOrder = (column: SQL, table: typeof fulfilments | typeof shippingAddresses) =>
  sql`(select ${column} from ${table} where ${table.orderId} = ${orders.id})`;

/**
 * The `type` event about the order matching `where` (at most one), staged from the row.
 *
 * Without `next` the event describes the row as it is (a just-inserted order). With `next`
 * it describes the row as the update that follows it in the same batch, with the same
 * `where`, will leave it: staged before that update, both see the same rows, so the event
 * exists exactly when the change happens. Shipping and total are read from the order's
 * shipping address as the batch has it at this point (only the costs: the address itself
 * never leaves orders), fulfilment from its `fulfilments` row unless `next` says otherwise.
 */
export function stageOrderEvent(db: Db, type: OrderEventType, where: SQL, next?: OrderChange): Staged {
  const version = next ? sql`${orders.version} + 1` : sql`${orders.version}`;
  const status = next?.status ? sql`${next.status}` : sql`${orders.status}`;
  const cancelReason = next?.status ? sql`${next.cancelReason ?? null}` : sql`${orders.cancelReason}`;
  const fulfilment = next?.fulfilment ? sql`${next.fulfilment}` : ofOrder(sql`${fulfilments.status}`, fulfilments);
  // json(): a JSON value keeps being JSON (not a string) through a subquery only when re-read.
  const shipment = next?.shipment
    ? sql`json_object('carrier', ${next.shipment.carrier}, 'trackingNumber', ${next.shipment.trackingNumber}, 'shippedAt', ${next.shipment.shippedAt})`
    : sql`json(${ofOrder(
        sql`case when ${fulfilments.shippedAt} is null then null else json_object('carrier', ${fulfilments.carrier},
          'trackingNumber', ${fulfilments.trackingNumber}, 'shippedAt', ${fulfilments.shippedAt}) end`,
        fulfilments,
      )})`;
  const deliveredAt = next?.deliveredAt ? sql`${next.deliveredAt}` : ofOrder(sql`${fulfilments.deliveredAt}`, fulfilments);
  // The fields and their order are orderData's (schema/events.ts).
  const data = sql`json_object('id', ${orders.id}, 'userId', ${orders.userId}, 'sellerId', ${orders.sellerId}, 'status', ${status},
    'cancelReason', ${cancelReason}, 'expiresAt', ${orders.expiresAt},
    'vinyl', json_object('id', ${orders.vinylId}, 'title', ${orders.vinylTitle},
      'priceCents', ${orders.priceCents}, 'currency', ${orders.currency}),
    'shippingCents', ${ofOrder(sql`${shippingAddresses.shippingCents}`, shippingAddresses)},
    'totalCents', ${ofOrder(sql`${shippingAddresses.totalCents}`, shippingAddresses)},
    'fulfilment', ${fulfilment}, 'shipment', ${shipment}, 'deliveredAt', ${deliveredAt},
    'version', ${version}, 'createdAt', ${orders.createdAt})`;
  return stageFromRow(db, type, { source: "orders", from: orders, where, data, version });
}

/**
 * Moves the order matching `where` to `next`, announcing it with `type`: the items for one
 * batch (`commit`, or an inbox effect). Nothing happens, and nothing is announced, when no
 * order matches at that point of the batch.
 */
export function changeOrder(db: Db, where: SQL, next: OrderChange, type?: OrderEventType): (Statement | Staged)[] {
  const update = db.update(orders).set(moveTo(next)).where(where);
  return type ? [stageOrderEvent(db, type, where, next), update] : [update];
}
