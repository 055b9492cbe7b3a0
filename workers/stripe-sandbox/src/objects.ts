import type { paymentIntents, refunds, sessions } from "./schema";

/** The API version the sandbox's objects follow (the one payments pins). */
export const API_VERSION = "2026-10-28.endive";

export type SessionRow = typeof sessions.$inferSelect;
export type PaymentIntentRow = typeof paymentIntents.$inferSelect;
export type RefundRow = typeof refunds.$inferSelect;

const json = (text: string) => JSON.parse(text) as Record<string, string>;

/** A `checkout.session` in Stripe's shape, with the fields a payment-mode session carries. */
export function sessionObject(row: SessionRow) {
  return {
    id: row.id,
    object: "checkout.session" as const,
    amount_subtotal: row.amountTotal,
    amount_total: row.amountTotal,
    cancel_url: row.cancelUrl,
    client_reference_id: row.clientReferenceId,
    // Embedded Checkout initialises with it; a hosted page needs none.
    client_secret: row.uiMode === "hosted_page" ? null : row.clientSecret,
    created: row.created,
    currency: row.currency,
    customer: null,
    customer_email: null,
    expires_at: row.expiresAt,
    livemode: false,
    metadata: json(row.metadata),
    mode: row.mode,
    payment_intent: row.paymentIntent,
    payment_method_types: ["card"],
    payment_status: row.paymentStatus,
    return_url: row.returnUrl ?? undefined,
    status: row.status,
    success_url: row.successUrl,
    ui_mode: row.uiMode,
    url: row.uiMode === "hosted_page" && row.status === "open" ? `/checkout/${row.id}` : null,
  };
}

export type SessionObject = ReturnType<typeof sessionObject>;

/** A line item as the session was created with it (`price_data` inline). */
export type StoredLineItem = { name: string; unitAmount: number; quantity: number; currency: string };

export const storedLineItems = (row: SessionRow) => JSON.parse(row.lineItems) as StoredLineItem[];

/**
 * A session's line items in Stripe's list shape (`item` objects). Ids are derived from the
 * session and the position, so every read names the same items.
 */
export function lineItemList(row: SessionRow, limit: number, url: string) {
  const items = storedLineItems(row).map((item, i) => {
    const amount = item.unitAmount * item.quantity;
    const suffix = `${row.id.slice(-20)}${i}`;
    return {
      id: `li_${suffix}`,
      object: "item" as const,
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: item.currency,
      description: item.name,
      price: {
        id: `price_${suffix}`,
        object: "price" as const,
        active: false,
        currency: item.currency,
        livemode: false,
        product: `prod_${suffix}`,
        type: "one_time" as const,
        unit_amount: item.unitAmount,
      },
      quantity: item.quantity,
    };
  });
  return { object: "list" as const, data: items.slice(0, limit), has_more: items.length > limit, url };
}

export function paymentIntentObject(row: PaymentIntentRow) {
  return {
    id: row.id,
    object: "payment_intent" as const,
    amount: row.amount,
    amount_received: row.amount,
    currency: row.currency,
    created: row.created,
    latest_charge: row.latestCharge,
    livemode: false,
    metadata: json(row.metadata),
    status: "succeeded" as const,
  };
}

export function refundObject(row: RefundRow) {
  return {
    id: row.id,
    object: "refund" as const,
    amount: row.amount,
    balance_transaction: null,
    charge: row.charge,
    created: row.created,
    currency: row.currency,
    metadata: json(row.metadata),
    payment_intent: row.paymentIntent,
    reason: row.reason,
    status: "succeeded" as const,
  };
}
