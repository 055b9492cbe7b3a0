import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The sandbox's own state: one Stripe test account. Objects keep the fields payments and
 * the checkout page use; the JSON Stripe answers with is built from them (src/objects.ts).
 */

export const sessions = sqliteTable("sessions", {
  id: text("id").primaryKey(),
  clientSecret: text("client_secret").notNull(),
  /** open, complete or expired. */
  status: text("status", { enum: ["open", "complete", "expired"] }).notNull(),
  /** unpaid or paid. */
  paymentStatus: text("payment_status", { enum: ["unpaid", "paid"] }).notNull(),
  mode: text("mode").notNull(),
  uiMode: text("ui_mode").notNull(),
  amountTotal: integer("amount_total").notNull(),
  /** Lower-case ISO code, as Stripe writes it. */
  currency: text("currency").notNull(),
  /** The line items as sent (JSON), for the checkout page. */
  lineItems: text("line_items").notNull(),
  metadata: text("metadata").notNull(),
  clientReferenceId: text("client_reference_id"),
  paymentIntentMetadata: text("payment_intent_metadata").notNull(),
  paymentIntent: text("payment_intent"),
  returnUrl: text("return_url"),
  successUrl: text("success_url"),
  cancelUrl: text("cancel_url"),
  /** Unix seconds. */
  expiresAt: integer("expires_at").notNull(),
  created: integer("created").notNull(),
});

export const paymentIntents = sqliteTable("payment_intents", {
  id: text("id").primaryKey(),
  amount: integer("amount").notNull(),
  amountRefunded: integer("amount_refunded").notNull(),
  currency: text("currency").notNull(),
  latestCharge: text("latest_charge").notNull(),
  metadata: text("metadata").notNull(),
  created: integer("created").notNull(),
});

export const refunds = sqliteTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    paymentIntent: text("payment_intent").notNull(),
    charge: text("charge").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    reason: text("reason"),
    metadata: text("metadata").notNull(),
    created: integer("created").notNull(),
  },
  (t) => [index("refunds_payment_intent").on(t.paymentIntent)],
);

/**
 * Stripe's idempotency layer: the first request with a key reserves it (`status` null while
 * it runs) and its answer is kept; a repeat with the same parameters gets that answer again.
 */
export const idempotencyKeys = sqliteTable("idempotency_keys", {
  key: text("key").primaryKey(),
  /** Method, path and body of the first request. */
  fingerprint: text("fingerprint").notNull(),
  status: integer("status"),
  body: text("body"),
  created: integer("created").notNull(),
});

/** Every API request, for tests to assert what payments sent (never bodies: they may hold card data). */
export const requests = sqliteTable("requests", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  method: text("method").notNull(),
  path: text("path").notNull(),
  idempotencyKey: text("idempotency_key"),
  /** Unix milliseconds. */
  at: integer("at").notNull(),
});

/** Events sent to the webhook endpoint, with the answer of the last delivery. */
export const events = sqliteTable("events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  body: text("body").notNull(),
  created: integer("created").notNull(),
  deliveryStatus: integer("delivery_status"),
  deliveredAt: integer("delivered_at"),
});
