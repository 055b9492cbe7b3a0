import { and, eq, inArray, sql } from "drizzle-orm";
import { createEvent } from "../../../schema/events";
import { checkoutSessions, orders, payments } from "../../../schema/tables/payments";
import { commit, stage, type Publisher, type Statement } from "../../shared/src/messaging";
import { log } from "../../shared/src/log";
import { database } from "./db";
import { orderCancelled } from "./order-replica";
import { paymentEventData, type PaidSession, type PaymentRow } from "./payment-data";
import { refundIfCancelled } from "./refunds";

export type Recorded = {
  /** The payment as it stands after this call (refunded if its order was cancelled). */
  payment: PaymentRow;
  /** Whether this call recorded it, rather than finding it recorded. */
  inserted: boolean;
  orderCancelled: boolean;
};

/**
 * Whether `paid` is a session payments opened for that very order, charging the total that
 * attempt was opened for (record and shipping; a later change of address does not make an
 * earlier payment foreign) in the order's currency. Anything else (an invented session, one
 * of another order, a different amount) is not a payment of this shop, however well signed:
 * a leaked webhook secret or another integration on the same Stripe account must not
 * complete an order.
 */
async function isOwnSession(db: ReturnType<typeof database>, paid: PaidSession): Promise<boolean> {
  const [own] = await db
    .select({ amountCents: sql<number | null>`coalesce(${checkoutSessions.amountCents}, ${orders.totalCents}, ${orders.priceCents})`, currency: orders.currency })
    .from(checkoutSessions)
    .innerJoin(orders, eq(orders.id, checkoutSessions.orderId))
    .where(and(eq(checkoutSessions.sessionId, paid.sessionId), eq(checkoutSessions.orderId, paid.orderId)))
    .limit(1);
  return own !== undefined && own.amountCents === paid.amountCents && own.currency.toUpperCase() === paid.currency;
}

/**
 * Records a session Stripe says is paid, once, whoever reports it (webhook, the buyer's
 * return, a cancellation that found it paid). In one batch: the payment (nothing if the
 * session already has one), the session marked complete, and `payment_created` only if
 * this call inserted the payment and the order is not cancelled in the replica, both
 * decided inside the batch. `before` runs first in the same batch (the webhook's event id).
 * A session that is not the shop's own for that order and amount (`isOwnSession`) records
 * nothing but `before`, and answers null.
 *
 * Afterwards a payment of a cancelled order is refunded. The replica is read after the
 * payment is written and the order_cancelled consumer writes the replica before it looks
 * for payments, so whichever commits second sees the other: no payment escapes a refund.
 */
export async function recordPayment(env: Env, paid: PaidSession, publisher: Publisher, before: Statement[] = []): Promise<Recorded | null> {
  const db = database(env);
  if (!(await isOwnSession(db, paid))) {
    log.warn("paid session is not one payments opened for this order and amount; not recorded", {
      service: "payments",
      orderId: paid.orderId,
      sessionId: paid.sessionId,
      amountCents: paid.amountCents,
      currency: paid.currency,
    });
    if (before.length > 0) await db.batch(before as [Statement, ...Statement[]]);
    return null;
  }
  const now = new Date().toISOString();
  const row: PaymentRow = {
    id: crypto.randomUUID(),
    orderId: paid.orderId,
    stripeSessionId: paid.sessionId,
    stripePaymentIntentId: paid.paymentIntentId,
    amountCents: paid.amountCents,
    currency: paid.currency,
    status: "paid",
    stripeRefundId: null,
    version: 0,
    createdAt: now,
    refundedAt: null,
  };
  const event = createEvent("payment_created", "payments", paymentEventData(row), row.version);
  const insertedHere = sql`exists (select 1 from ${payments} where ${payments.id} = ${row.id})`;
  const results = await commit(
    db,
    [
      ...before,
      db.insert(payments).values(row).onConflictDoNothing(),
      db
        .update(checkoutSessions)
        .set({ status: "complete", updatedAt: now })
        .where(and(eq(checkoutSessions.sessionId, paid.sessionId), inArray(checkoutSessions.status, ["pending", "open", "expired"]))),
      stage(db, event, { when: sql`${insertedHere} and not ${orderCancelled(paid.orderId)}` }),
      db.select().from(payments).where(eq(payments.stripeSessionId, paid.sessionId)),
      db.select({ status: orders.status }).from(orders).where(eq(orders.id, paid.orderId)),
    ],
    publisher,
  );
  const [payment] = results.at(-2) as PaymentRow[];
  const [order] = results.at(-1) as { status: string }[];
  if (!payment) throw new Error(`payment for session ${paid.sessionId} not found after recording it`);
  const inserted = payment.id === row.id;
  if (!order) log.error("payment for an order the replica does not know", { service: "payments", orderId: paid.orderId, sessionId: paid.sessionId });
  if (inserted) log.info("payment recorded", { service: "payments", orderId: paid.orderId, paymentId: payment.id, sessionId: paid.sessionId });

  const cancelled = order?.status === "cancelled";
  if (cancelled && (await refundIfCancelled(env, paid.orderId, publisher)) > 0) {
    const [now] = await db.select().from(payments).where(eq(payments.id, payment.id));
    return { payment: now ?? payment, inserted, orderCancelled: true };
  }
  return { payment, inserted, orderCancelled: cancelled };
}
