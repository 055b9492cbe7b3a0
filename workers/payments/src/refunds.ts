import { and, eq, sql } from "drizzle-orm";
import { createEvent } from "../../../schema/events";
import { payments } from "../../../schema/tables/payments";
import { log } from "../../shared/src/log";
import { commit, stage, type Publisher } from "../../shared/src/messaging";
import { database } from "./db";
import { orderCancelled } from "./order-replica";
import { paymentEventData, type PaymentRow } from "./payment-data";
import { isInvalidRequest, stripeClient } from "./stripe-client";

/**
 * Refunds one paid payment in full, exactly once however many paths ask at the same time:
 * Stripe sees one refund per payment intent (the idempotency key is the intent's), and the
 * row moves paid → refunded with `payment_refunded` in the same batch only from `paid`.
 */
export async function refundPayment(env: Env, payment: PaymentRow, publisher: Publisher) {
  const intent = payment.stripePaymentIntentId;
  if (!intent) throw new Error(`payment ${payment.id} has no payment intent to refund`);
  let refundId: string | null = null;
  try {
    const refund = await stripeClient(env).refunds.create(
      { payment_intent: intent, metadata: { orderId: payment.orderId, paymentId: payment.id } },
      { idempotencyKey: `refund:${intent}` },
    );
    refundId = refund.id;
  } catch (error) {
    // Refunded already by other means (the dashboard, say): the money is back all the same.
    if (!(isInvalidRequest(error) && error.code === "charge_already_refunded")) throw error;
  }
  const db = database(env);
  const refundedAt = new Date().toISOString();
  const refunded = { ...payment, status: "refunded" as const, stripeRefundId: refundId, refundedAt, version: payment.version + 1 };
  const event = createEvent("payment_refunded", "payments", paymentEventData(refunded), refunded.version);
  await commit(
    db,
    [
      db
        .update(payments)
        .set({ status: "refunded", stripeRefundId: refundId, refundedAt, version: refunded.version })
        .where(and(eq(payments.id, payment.id), eq(payments.status, "paid"))),
      stage(db, event, { when: sql`changes() = 1` }),
    ],
    publisher,
  );
  log.info("payment refunded", { service: "payments", orderId: payment.orderId, paymentId: payment.id, refundId });
}

/** Refunds every still-paid payment of `orderId` if the replica says the order is cancelled. */
export async function refundIfCancelled(env: Env, orderId: string, publisher: Publisher) {
  const paid = await database(env)
    .select()
    .from(payments)
    .where(and(eq(payments.orderId, orderId), eq(payments.status, "paid"), orderCancelled(orderId)));
  for (const payment of paid) await refundPayment(env, payment, publisher);
  return paid.length;
}
