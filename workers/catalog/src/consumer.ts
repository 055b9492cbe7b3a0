import { and, eq, sql, type SQL } from "drizzle-orm";
import type { EventOf } from "../../../schema/events";
import { vinylOrders, vinyls } from "../../../schema/tables/catalog";
import { createInboxConsumer, type Effect, type Handlers } from "../../shared/src/messaging";
import { applyProfileUpdated, applySessionRevoked } from "../../shared/src/replicas";
import { database } from "./db";
import { refreshSellerNames } from "./sellers";

type OrderEvent = EventOf<"order_created" | "order_cancelled" | "order_completed">;

/**
 * A record's status follows from the orders catalog knows for it, whatever order their
 * events arrived in: `sold` to a complete order, else `reserved` by a live one, else
 * `available`. Ties (only possible while events are still in flight) go to the lowest
 * order id, so every delivery order settles on the same answer.
 */
function statusFromOrders(vinylId: string) {
  const orderWith = (statuses: SQL) =>
    sql`(select o.order_id from vinyl_orders o where o.vinyl_id = ${vinylId} and o.status in ${statuses} order by o.order_id limit 1)`;
  const sold = orderWith(sql`('complete')`);
  const live = orderWith(sql`('created', 'awaiting_payment')`);
  return {
    status: sql`case when ${sold} is not null then 'sold' when ${live} is not null then 'reserved' else 'available' end`,
    orderId: sql`coalesce(${sold}, ${live})`,
  };
}

/**
 * Applies one order event: the order's replica row moves only to a newer version, then
 * the record's status is recomputed from all its orders in the same batch. The record's
 * version moves on only when its status or order actually changed. A withdrawn record
 * stays withdrawn. Nothing is announced: orders decides availability from its own orders,
 * so no other service needs to hear that a record is reserved or sold.
 */
function applyOrderEvent(event: OrderEvent, env: Env): Effect {
  const db = database(env);
  const order = event.data;
  const vinylId = order.vinyl.id;
  // Read nothing first: every statement is conditioned on the record, so an event for a
  // record catalog does not have (orders only learns of records from catalog's own events,
  // so it can never apply) changes nothing, and the inbox still records it once.
  const known = sql`exists (select 1 from ${vinyls} where ${vinyls.id} = ${vinylId})`;
  const next = statusFromOrders(vinylId);
  const recompute = db
    .update(vinyls)
    .set({ status: next.status, orderId: next.orderId, version: sql`${vinyls.version} + 1`, updatedAt: new Date().toISOString() })
    .where(
      and(
        eq(vinyls.id, vinylId),
        sql`${vinyls.status} <> 'withdrawn'`,
        sql`(${vinyls.status} is not ${next.status} or ${vinyls.orderId} is not ${next.orderId})`,
      ),
    );
  return {
    statements: [
      db
        .insert(vinylOrders)
        .select(sql`select ${order.id}, ${vinylId}, ${order.status}, ${order.version} where ${known}`)
        .onConflictDoUpdate({
          target: vinylOrders.orderId,
          set: { status: order.status, version: order.version },
          setWhere: sql`excluded.version > ${vinylOrders.version}`,
        }),
      recompute,
    ],
  };
}

const handlers: Handlers<Env> = {
  order_created: applyOrderEvent,
  order_cancelled: applyOrderEvent,
  order_completed: applyOrderEvent,
  profile_updated: (event, env) => {
    const db = database(env);
    // The replica first, then the seller's listings from it, in the same batch.
    return { statements: [...(applyProfileUpdated(db, event).statements ?? []), refreshSellerNames(db, event.data.userId)] };
  },
  session_revoked: (event, env) => applySessionRevoked(database(env), event),
};

/** The `catalog-events` inbox. */
export const queue = createInboxConsumer<Env>({ inbox: "catalog", db: database, handlers });
