import { and, eq, sql, type SQL } from "drizzle-orm";
import { fulfilments as f, orders as t } from "../../../schema/tables/orders";
import type { Db } from "../../shared/src/messaging";
import { moveTo, stageOrderEvent, type FulfilmentChange } from "./order-events";

/**
 * The fulfilment steps of a paid order, each as the items of one batch: the `order_updated`
 * event, the order's next version and the `fulfilments` row, all three guarded by the same
 * condition, so the step happens whole or not at all (a step somebody else took first, or
 * one that does not fit, changes nothing). The last item answers the rows it changed.
 */

const inFulfilment = (id: string, status: "to_ship" | "shipped", extra?: SQL) =>
  sql`exists (select 1 from ${f} where ${f.orderId} = ${id} and ${f.status} = ${status}${extra ? sql` and ${extra}` : sql``})`;

function step(db: Db, where: SQL, id: string, from: "to_ship" | "shipped", change: Required<Pick<FulfilmentChange, "fulfilment">> & FulfilmentChange) {
  const columns = {
    status: change.fulfilment,
    ...(change.shipment && change.shipment),
    ...(change.deliveredAt && { deliveredAt: change.deliveredAt }),
  };
  return [
    stageOrderEvent(db, "order_updated", where, change),
    db.update(t).set(moveTo()).where(where),
    // The order's condition, read before its update changed anything the condition uses.
    db
      .update(f)
      .set(columns)
      .where(and(eq(f.orderId, id), eq(f.status, from), sql`exists (select 1 from ${t} where ${where})`))
      .returning({ orderId: f.orderId }),
  ] as const;
}

/** A paid order waiting to be shipped, shipped by its seller. */
export function ship(db: Db, id: string, { sellerId, carrier, trackingNumber, shippedAt }: { sellerId: string; carrier: string; trackingNumber: string; shippedAt: string }) {
  const where = and(eq(t.id, id), eq(t.sellerId, sellerId), eq(t.status, "complete"), inFulfilment(id, "to_ship"))!;
  return step(db, where, id, "to_ship", { fulfilment: "shipped", shipment: { carrier, trackingNumber, shippedAt } });
}

/**
 * A shipped order, delivered: confirmed by its buyer (`buyerId`), or by the cron once it
 * was shipped before `shippedBefore`.
 */
export function deliver(db: Db, id: string, who: { buyerId: string; deliveredAt: string } | { shippedBefore: string; deliveredAt: string }) {
  const guard = "buyerId" in who ? eq(t.userId, who.buyerId) : undefined;
  const due = "shippedBefore" in who ? sql`${f.shippedAt} < ${who.shippedBefore}` : undefined;
  const where = and(eq(t.id, id), guard, inFulfilment(id, "shipped", due))!;
  return step(db, where, id, "shipped", { fulfilment: "delivered", deliveredAt: who.deliveredAt });
}
