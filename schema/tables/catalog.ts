import { check, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { sql } from "drizzle-orm";
import { GENRES, MEDIA_GRADES, ORDER_STATUSES, SLEEVE_GRADES, VINYL_STATUSES } from "../events";

export { inbox, inboxSources, outbox } from "./messaging";
export { profiles, revokedSessions } from "./replicas";

// Partial indexes serve the public list, which only ever shows available records. The
// query must repeat this exact term as a literal (not a bound parameter) for SQLite to use them.
const available = sql`status = 'available'`;

/**
 * Vinyl listings. `seq` is the rowid alias the full-text index (`vinyls_search`, created
 * by a hand-written migration) is keyed on: an implicit rowid could be renumbered by VACUUM
 * and silently detach the index. The public id is the UUID in `id`.
 */
export const vinyls = sqliteTable(
  "vinyls",
  {
    seq: integer("seq").primaryKey(),
    id: text("id").notNull().unique(),
    userId: text("user_id").notNull(),
    title: text("title").notNull(),
    artist: text("artist"),
    genre: text("genre", { enum: GENRES }).notNull(),
    priceCents: integer("price_cents").notNull(),
    currency: text("currency").notNull().default("USD"),
    description: text("description"),
    imageUrl: text("image_url"),
    mediaCondition: text("media_condition", { enum: MEDIA_GRADES }),
    /**
     * The media grade as a number, higher is better (M = 8 … P = 1), so "at least this
     * good" is an indexable range. Generated, so it can never disagree with the grade.
     */
    mediaRank: integer("media_rank").generatedAlwaysAs(
      sql`case media_condition when 'M' then 8 when 'NM' then 7 when 'VG+' then 6 when 'VG' then 5 when 'G+' then 4 when 'G' then 3 when 'F' then 2 when 'P' then 1 end`,
      { mode: "virtual" },
    ),
    sleeveCondition: text("sleeve_condition", { enum: SLEEVE_GRADES }),
    format: text("format"),
    year: integer("year"),
    label: text("label"),
    status: text("status", { enum: VINYL_STATUSES }).notNull().default("available"),
    /** The order holding the record while reserved, or that bought it; null otherwise. */
    orderId: text("order_id"),
    version: integer("version").notNull().default(0),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    /**
     * Where the record ships from, and shipping in cents at home and abroad (`null`: does
     * not ship abroad). The defaults are what listings from before shipping were given.
     */
    shipsFrom: text("ships_from").notNull().default("US"),
    shippingDomesticCents: integer("shipping_domestic_cents").notNull().default(500),
    shippingInternationalCents: integer("shipping_international_cents"),
    /**
     * The seller's public name, copied from the `profiles` replica when the listing is made
     * and whenever a newer profile arrives, so a page of listings shows its sellers without
     * reading a profile per row. Null until the seller's first profile event arrives.
     */
    sellerUsername: text("seller_username"),
    sellerDisplayName: text("seller_display_name"),
  },
  (t) => [
    // One index per sort, with and without a genre, each in its sort's order (key, then id,
    // as the keyset cursor pages). Price and grade ride along so the other filters are
    // checked on the index entry as it is scanned in order, never by sorting the matches.
    index("vinyls_available_newest").on(t.createdAt, t.id, t.priceCents, t.mediaRank).where(available),
    index("vinyls_available_price").on(t.priceCents, t.id, t.mediaRank).where(available),
    index("vinyls_available_genre_newest").on(t.genre, t.createdAt, t.id, t.priceCents, t.mediaRank).where(available),
    index("vinyls_available_genre_price").on(t.genre, t.priceCents, t.id, t.mediaRank).where(available),
    index("vinyls_user_newest").on(t.userId, t.createdAt, t.id),
    // A seller's records for sale (`?seller=`), newest first, with the other filters riding
    // along. The status is a key column rather than a partial index's condition: with two
    // equalities SQLite prefers this index over `vinyls_user_newest`, which would read the
    // seller's sold and withdrawn records too.
    index("vinyls_user_status_newest").on(t.userId, t.status, t.createdAt, t.id, t.priceCents, t.mediaRank),
    check("vinyls_status", sql`status in ('available', 'reserved', 'sold', 'withdrawn')`),
    check("vinyls_price_cents", sql`price_cents > 0`),
    // A reserved or sold record always names its order; an available or withdrawn one never does.
    check("vinyls_order_id", sql`(status in ('reserved', 'sold')) = (order_id is not null)`),
  ],
);

/**
 * What catalog knows of each order for a record, from order events. A row only moves to a
 * newer order version, so events applied in any order converge; the record's status is
 * recomputed from these rows after each one.
 */
export const vinylOrders = sqliteTable(
  "vinyl_orders",
  {
    orderId: text("order_id").primaryKey(),
    vinylId: text("vinyl_id").notNull(),
    status: text("status", { enum: ORDER_STATUSES }).notNull(),
    version: integer("version").notNull(),
  },
  (t) => [index("vinyl_orders_vinyl_status").on(t.vinylId, t.status)],
);
