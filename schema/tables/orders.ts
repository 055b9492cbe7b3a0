import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { sql } from "drizzle-orm";
import { CANCEL_REASONS, ORDER_STATUSES, VINYL_STATUSES } from "../events";

export { inbox, inboxSources, outbox } from "./messaging";
export { profiles, revokedSessions } from "./replicas";

/**
 * What orders knows of each listing, from catalog's `vinyl_created` / `vinyl_updated`. A row
 * only moves to a newer `version`, so events applied in any order converge. Only the fields
 * an order needs: who sells it, its snapshot, and whether it can still be sold.
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
    // The cron backstop looks for unpaid holds past their end.
    index("orders_unpaid_expires").on(t.expiresAt).where(sql`status in ('created', 'awaiting_payment')`),
    check("orders_status", sql`status in ('created', 'awaiting_payment', 'complete', 'cancelled')`),
    // A cancelled order always says why; any other never does.
    check("orders_cancel_reason", sql`(status = 'cancelled') = (cancel_reason is not null)`),
    check("orders_price_cents", sql`price_cents >= 0`),
  ],
);
