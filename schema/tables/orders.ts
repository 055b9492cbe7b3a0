import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { sql } from "drizzle-orm";
import { CANCEL_REASONS, FULFILMENT_STATUSES, ORDER_STATUSES, VINYL_STATUSES } from "../events";
import { FEEDBACK_RATINGS } from "../vocabulary";

export { inbox, inboxSources, outbox } from "./messaging";
export { profiles, revokedSessions } from "./replicas";

/**
 * What orders knows of each listing, from catalog's `vinyl_created` / `vinyl_updated`. A row
 * only moves to a newer `version`, so events applied in any order converge. Only the fields
 * an order needs: who sells it, its snapshot, whether it can still be sold, and what shipping
 * it costs.
 */
export const vinyls = sqliteTable(
  "vinyls",
  {
    id: text("id").primaryKey(),
    /** The seller, who may not buy their own record. */
    userId: text("user_id").notNull(),
    title: text("title").notNull(),
    priceCents: integer("price_cents").notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: VINYL_STATUSES }).notNull(),
    version: integer("version").notNull(),
    /** The listing's country; an address there pays the domestic price. The defaults are catalog's for older listings. */
    shipsFrom: text("ships_from").notNull().default("US"),
    shippingDomesticCents: integer("shipping_domestic_cents").notNull().default(500),
    /** `null`: the seller does not ship abroad. */
    shippingInternationalCents: integer("shipping_international_cents"),
  },
  () => [check("vinyls_status", sql`status in ('available', 'reserved', 'sold', 'withdrawn')`)],
);

/**
 * Orders, with a snapshot of the record as it was when ordered. Every status change
 * increases `version` by one; the events about an order carry that version.
 */
export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    /** The buyer. */
    userId: text("user_id").notNull(),
    vinylId: text("vinyl_id").notNull(),
    vinylTitle: text("vinyl_title").notNull(),
    priceCents: integer("price_cents").notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: ORDER_STATUSES }).notNull(),
    cancelReason: text("cancel_reason", { enum: CANCEL_REASONS }),
    /** ISO-8601 UTC, always `toISOString()` form, so text order is time order. */
    expiresAt: text("expires_at").notNull(),
    version: integer("version").notNull(),
    /** When payments refunded a payment for this order (one for a cancelled order); bookkeeping, no status change. */
    refundedAt: text("refunded_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    /**
     * The seller, from the replica when the order was placed. Last because it came last
     * (columns are appended); the migration that added it filled it in for older orders.
     */
    sellerId: text("seller_id").notNull().default(""),
  },
  (t) => [
    // No double sale: at most one live order per record, whoever races for it. The
    // conditional insert relies on this index, not on reading first.
    uniqueIndex("orders_live_vinyl")
      .on(t.vinylId)
      .where(sql`status in ('created', 'awaiting_payment', 'complete')`),
    // A buyer's orders, oldest first; the rowid every index ends with breaks ties in insertion order.
    index("orders_user_created").on(t.userId, t.createdAt),
    // A seller's sales: their paid orders.
    index("orders_seller_complete").on(t.sellerId).where(sql`status = 'complete'`),
    // The cron backstop looks for unpaid holds past their end.
    index("orders_unpaid_expires").on(t.expiresAt).where(sql`status in ('created', 'awaiting_payment')`),
    check("orders_status", sql`status in ('created', 'awaiting_payment', 'complete', 'cancelled')`),
    // A cancelled order always says why; any other never does.
    check("orders_cancel_reason", sql`(status = 'cancelled') = (cancel_reason is not null)`),
    check("orders_price_cents", sql`price_cents >= 0`),
  ],
);

/**
 * Where the buyer wants an order sent, and what that costs: one row per order, written while
 * the order is unpaid. Kept out of `orders` so that no event, which is built from the
 * `orders` row, can ever carry the address: only the buyer and the seller may read it.
 */
export const shippingAddresses = sqliteTable(
  "shipping_addresses",
  {
    orderId: text("order_id").primaryKey(),
    name: text("name").notNull(),
    line1: text("line1").notNull(),
    line2: text("line2"),
    city: text("city").notNull(),
    region: text("region"),
    postalCode: text("postal_code").notNull(),
    country: text("country").notNull(),
    /** The listing's domestic or international price for `country`, when the address was given. */
    shippingCents: integer("shipping_cents").notNull(),
    /** The record's price plus shipping: what checkout charges. */
    totalCents: integer("total_cents").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  () => [check("shipping_addresses_cents", sql`shipping_cents >= 0 and total_cents >= shipping_cents`)],
);

/**
 * What happens to a paid order: written when the order completes (`to_ship`), then shipped
 * by its seller with a carrier and tracking number, then delivered (the buyer confirms, or
 * the cron does some days after shipping). Times are ISO-8601 UTC `toISOString()` form.
 */
export const fulfilments = sqliteTable(
  "fulfilments",
  {
    orderId: text("order_id").primaryKey(),
    status: text("status", { enum: FULFILMENT_STATUSES }).notNull(),
    paidAt: text("paid_at").notNull(),
    carrier: text("carrier"),
    trackingNumber: text("tracking_number"),
    shippedAt: text("shipped_at"),
    deliveredAt: text("delivered_at"),
  },
  (t) => [
    // The cron looks for shipments old enough to count as delivered.
    index("fulfilments_shipped").on(t.shippedAt).where(sql`status = 'shipped'`),
    check("fulfilments_status", sql`status in ('to_ship', 'shipped', 'delivered')`),
    // Shipped and delivered orders say how and when; an order to ship has neither.
    check(
      "fulfilments_shipment",
      sql`(status = 'to_ship') = (shipped_at is null) and (shipped_at is null) = (carrier is null) and (carrier is null) = (tracking_number is null)`,
    ),
    check("fulfilments_delivered", sql`(status = 'delivered') = (delivered_at is not null)`),
  ],
);

/**
 * The buyer's feedback on an order, once, after it shipped; the seller may reply once. The
 * seller, buyer and record are copied from the order so a seller's feedback page reads one
 * index.
 */
export const feedback = sqliteTable(
  "feedback",
  {
    orderId: text("order_id").primaryKey(),
    sellerId: text("seller_id").notNull(),
    buyerId: text("buyer_id").notNull(),
    vinylId: text("vinyl_id").notNull(),
    vinylTitle: text("vinyl_title").notNull(),
    rating: text("rating", { enum: FEEDBACK_RATINGS }).notNull(),
    comment: text("comment"),
    createdAt: text("created_at").notNull(),
    reply: text("reply"),
    repliedAt: text("replied_at"),
  },
  (t) => [
    // A seller's feedback, newest first; ties break on the order id (the paging cursor).
    index("feedback_seller_created").on(t.sellerId, t.createdAt, t.orderId),
    check("feedback_rating", sql`rating in ('positive', 'neutral', 'negative')`),
    check("feedback_reply", sql`(reply is null) = (replied_at is null)`),
  ],
);
