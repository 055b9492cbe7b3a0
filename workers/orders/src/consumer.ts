import { and, eq, sql } from "drizzle-orm";
import type { EventOf } from "../../../schema/events";
import { fulfilments, orders, vinyls } from "../../../schema/tables/orders";
import { log } from "../../shared/src/log";
import { createInboxConsumer, PermanentError, type Effect, type Handlers } from "../../shared/src/messaging";
import { applyProfileUpdated, applySessionRevoked } from "../../shared/src/replicas";
import { database, LIVE, UNPAID, type Database } from "./db";
import { AWAITING_PAYMENT, cancelled, changeOrder, COMPLETE } from "./order-events";

/**
 * Every handler is a no-op when its transition no longer fits the order (a late or
 * repeated event), so redeliveries and any arrival order settle on the same state. The
 * conditions are evaluated inside the batch, never on a state read earlier: a concurrent
 * consumer may have moved the order meanwhile.
 */

/** An order event can only name an order orders itself created; anything else can never apply. */
async function knownOrder(db: Database, orderId: string) {
  const [order] = await db
    .select({ status: orders.status, expiresAt: orders.expiresAt })
    .from(orders)
    .where(eq(orders.id, orderId))
    .limit(1);
  if (!order) throw new PermanentError(`no order ${orderId}`);
  return order;
}

/**
 * The replica takes a listing only when its version is newer than the one held. If the
 * replica then says withdrawn, the record's unpaid live order (there is at most one) ends
 * as `unavailable`: checked against the replica as this batch leaves it, so a withdrawal
 * cancels whichever order holds the record at that moment, and a stale event cancels nothing.
 */
function applyVinyl(event: EventOf<"vinyl_created" | "vinyl_updated">, env: Env): Effect {
  const db = database(env);
  const { id, userId, title, priceCents, currency, status, version, shipsFrom, shippingDomesticCents, shippingInternationalCents } = event.data;
  const withdrawn = sql`exists (select 1 from ${vinyls} where ${vinyls.id} = ${id} and ${vinyls.status} = 'withdrawn')`;
  // LIVE as well as UNPAID lets SQLite find the order through the live-vinyl index.
  const heldUnpaid = and(eq(orders.vinylId, id), LIVE, UNPAID, withdrawn)!;
  return {
    statements: [
      db
        .insert(vinyls)
        .values({ id, userId, title, priceCents, currency, status, version, shipsFrom, shippingDomesticCents, shippingInternationalCents })
        .onConflictDoUpdate({
          target: vinyls.id,
          set: {
            userId: sql`excluded.user_id`,
            title: sql`excluded.title`,
            priceCents: sql`excluded.price_cents`,
            currency: sql`excluded.currency`,
            status: sql`excluded.status`,
            version: sql`excluded.version`,
            shipsFrom: sql`excluded.ships_from`,
            shippingDomesticCents: sql`excluded.shipping_domestic_cents`,
            shippingInternationalCents: sql`excluded.shipping_international_cents`,
          },
          setWhere: sql`excluded.version > ${vinyls.version}`,
        }),
      ...changeOrder(db, heldUnpaid, cancelled("unavailable"), "order_cancelled"),
    ],
  };
}

/** Payments opened a checkout session: `created` → `awaiting_payment`, from `created` only. */
async function applyCheckoutStarted(event: EventOf<"checkout_started">, env: Env): Promise<Effect> {
  const db = database(env);
  const { orderId } = event.data;
  await knownOrder(db, orderId);
  return { statements: changeOrder(db, and(eq(orders.id, orderId), eq(orders.status, "created"))!, AWAITING_PAYMENT) };
}

/**
 * A verified payment completes a live unpaid order, which then waits for its seller to ship
 * it (`to_ship`, written first so the completion event carries it). One for an order that
 * has ended (expired, cancelled) changes nothing here: payments refunds it, and the record
 * stays free for whoever holds it now.
 */
async function applyPaymentCreated(event: EventOf<"payment_created">, env: Env): Promise<Effect> {
  const db = database(env);
  const { orderId } = event.data;
  const order = await knownOrder(db, orderId);
  if (order.status === "cancelled") log.info("payment for a cancelled order; payments refunds it", { eventId: event.id, orderId });
  const unpaid = and(eq(orders.id, orderId), UNPAID)!;
  const paidAt = new Date(event.occurredAt).toISOString();
  return {
    statements: [
      db
        .insert(fulfilments)
        // Values in the table's column order, which insert … select requires.
        .select(sql`select ${orders.id}, 'to_ship', ${paidAt}, null, null, null, null from ${orders} where ${unpaid}`)
        .onConflictDoNothing(),
      ...changeOrder(db, unpaid, COMPLETE, "order_completed"),
    ],
  };
}

/** A refund is recorded on the order, once, whatever its status; the status stays. */
async function applyPaymentRefunded(event: EventOf<"payment_refunded">, env: Env): Promise<Effect> {
  const db = database(env);
  const { orderId } = event.data;
  await knownOrder(db, orderId);
  return {
    statements: [
      db
        .update(orders)
        .set({ refundedAt: new Date(event.occurredAt).toISOString() })
        .where(and(eq(orders.id, orderId), sql`${orders.refundedAt} is null`)),
    ],
  };
}

/**
 * The hold's alarm rang: an order still unpaid ends as `expired`. One already paid or
 * cancelled stays as it is. The alarm's own time decides whether the hold is over (with
 * this Worker's clock as a second opinion), so the answer does not depend on when the
 * event arrives; one that claims to come before the hold's end is retried until it is.
 */
async function applyExpiration(event: EventOf<"expiration_complete">, env: Env): Promise<Effect> {
  const db = database(env);
  const { orderId } = event.data;
  const order = await knownOrder(db, orderId);
  const endedAt = Math.max(Date.parse(event.occurredAt), Date.now());
  if (Date.parse(order.expiresAt) > endedAt && (order.status === "created" || order.status === "awaiting_payment")) {
    throw new Error(`hold of order ${orderId} has not ended yet`);
  }
  return { statements: changeOrder(db, and(eq(orders.id, orderId), UNPAID)!, cancelled("expired"), "order_cancelled") };
}

const handlers: Handlers<Env> = {
  vinyl_created: applyVinyl,
  vinyl_updated: applyVinyl,
  checkout_started: applyCheckoutStarted,
  payment_created: applyPaymentCreated,
  payment_refunded: applyPaymentRefunded,
  expiration_complete: applyExpiration,
  profile_updated: (event, env) => applyProfileUpdated(database(env), event),
  session_revoked: (event, env) => applySessionRevoked(database(env), event),
};

/** The `orders-events` inbox. */
export const queue = createInboxConsumer<Env>({ inbox: "orders", db: database, handlers });
