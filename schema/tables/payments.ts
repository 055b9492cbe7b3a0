import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { sql } from "drizzle-orm";
import { CANCEL_REASONS, ORDER_STATUSES } from "../events";

export { inbox, inboxSources, outbox } from "./messaging";
export { revokedSessions } from "./replicas";

/**
 * What payments knows of each order, from orders' `order_created` / `order_cancelled` /
 * `order_completed` / `order_updated`. A row only moves to a newer `version`, so events
 * applied in any order converge. The title, price and shipping are the order's: a checkout
 * charges these, never anything the browser sends.
 */
export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    /** The buyer, the only one who may pay. */
    userId: text("user_id").notNull(),
    status: text("status", { enum: ORDER_STATUSES }).notNull(),
    cancelReason: text("cancel_reason", { enum: CANCEL_REASONS }),
    /** ISO-8601 UTC: the end of the hold. */
    expiresAt: text("expires_at").notNull(),
    title: text("title").notNull(),
    priceCents: integer("price_cents").notNull(),
    currency: text("currency").notNull(),
    version: integer("version").notNull(),
    /** Known once the buyer gave a shipping address; `total_cents` (price + shipping) is what checkout charges. */
    shippingCents: integer("shipping_cents"),
    totalCents: integer("total_cents"),
  },
  () => [check("orders_status", sql`status in ('created', 'awaiting_payment', 'complete', 'cancelled')`)],
);

export const SESSION_STATUSES = ["pending", "open", "complete", "expired", "abandoned"] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/**
 * Stripe Checkout Sessions, one row per attempt at paying an order. The row is written
 * (`pending`) with its parameters before Stripe is called, so a retried attempt sends the
 * same parameters under the same idempotency key and Stripe answers with the same session.
 * `open`, `complete` and `expired` mirror Stripe; `abandoned` is an attempt Stripe refused
 * (its expiry had become too close), after which the next attempt starts.
 */
export const checkoutSessions = sqliteTable(
  "checkout_sessions",
  {
    orderId: text("order_id").notNull(),
    attempt: integer("attempt").notNull(),
    /** `cs_…`, known once Stripe answered. */
    sessionId: text("session_id"),
    status: text("status", { enum: SESSION_STATUSES }).notNull(),
    /** Unix seconds, as sent to Stripe. */
    expiresAt: integer("expires_at").notNull(),
    returnUrl: text("return_url").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    /**
     * The total this attempt charges (record and shipping), fixed when it is reserved: a
     * payment counts only at this amount, even after the order's total has changed.
     * Null for attempts reserved before shipping existed (their order's price was the total).
     */
    amountCents: integer("amount_cents"),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.attempt] }),
    uniqueIndex("checkout_sessions_session_id").on(t.sessionId),
    // The cron backstop looks for sessions still open on cancelled orders.
    index("checkout_sessions_open").on(t.orderId).where(sql`status = 'open'`),
    check("checkout_sessions_status", sql`status in ('pending', 'open', 'complete', 'expired', 'abandoned')`),
  ],
);

export const PAYMENT_STATUSES = ["paid", "refunded"] as const;

/**
 * Payments Stripe confirmed, one per paid Checkout Session whoever learnt of it first (the
 * webhook, the buyer's return, or a cancellation that found the session already paid).
 * `version` is the payment's: 0 when recorded, 1 once refunded.
 */
export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    stripeSessionId: text("stripe_session_id").notNull(),
    stripePaymentIntentId: text("stripe_payment_intent_id"),
    amountCents: integer("amount_cents").notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: PAYMENT_STATUSES }).notNull(),
    stripeRefundId: text("stripe_refund_id"),
    version: integer("version").notNull(),
    createdAt: text("created_at").notNull(),
    refundedAt: text("refunded_at"),
  },
  (t) => [
    // One payment per session, however many paths report it at once.
    uniqueIndex("payments_stripe_session_id").on(t.stripeSessionId),
    index("payments_order_id").on(t.orderId),
    // The cron backstop looks for paid payments of cancelled orders.
    index("payments_paid").on(t.orderId).where(sql`status = 'paid'`),
    check("payments_status", sql`status in ('paid', 'refunded')`),
    check("payments_amount_cents", sql`amount_cents >= 0`),
  ],
);

/** Ids of Stripe events applied; recorded in the same batch as their effect, so a redelivery changes nothing. */
export const stripeEvents = sqliteTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  processedAt: integer("processed_at").notNull(),
});
