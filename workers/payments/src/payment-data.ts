import type { z } from "zod";
import type { paymentData } from "../../../schema/events";
import type { payments } from "../../../schema/tables/payments";
import type { Stripe } from "./stripe-client";

export type PaymentRow = typeof payments.$inferSelect;

/** A Checkout Session Stripe says is paid, reduced to what a payment records. */
export type PaidSession = {
  sessionId: string;
  orderId: string;
  paymentIntentId: string | null;
  amountCents: number;
  currency: string;
};

/**
 * The paid session, or null for one not (yet) paid or not ours: every session payments
 * creates names its order in `metadata.orderId`.
 */
export function paidSessionOf(session: Stripe.Checkout.Session): PaidSession | null {
  const orderId = session.metadata?.orderId;
  if (session.payment_status !== "paid" || typeof orderId !== "string" || !orderId) return null;
  const intent = session.payment_intent;
  return {
    sessionId: session.id,
    orderId,
    paymentIntentId: typeof intent === "string" ? intent : (intent?.id ?? null),
    amountCents: session.amount_total ?? 0,
    // Stripe writes currencies in lower case; events carry ISO codes.
    currency: (session.currency ?? "").toUpperCase(),
  };
}

/** What `payment_created` and `payment_refunded` carry. */
export function paymentEventData(row: PaymentRow): z.input<typeof paymentData> {
  return {
    id: row.id,
    orderId: row.orderId,
    stripeSessionId: row.stripeSessionId,
    stripePaymentIntentId: row.stripePaymentIntentId,
    amountCents: row.amountCents,
    currency: row.currency,
  };
}
