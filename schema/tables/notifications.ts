import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { sql } from "drizzle-orm";
import { GENRES, MEDIA_GRADES, ORDER_STATUSES, VINYL_STATUSES } from "../events";

export { inbox, inboxSources } from "./messaging";
export { profiles, revokedSessions } from "./replicas";

/**
 * Where to write to each user (`contact_updated` from auth), moving only to a newer
 * version. With auth, the only place an email address is kept.
 */
export const contacts = sqliteTable("contacts", {
  userId: text("user_id").primaryKey(),
  email: text("email").notNull(),
  version: integer("version").notNull(),
});

/**
 * What notifications knows of each order, from orders' events, by version: who bought and
 * who sold, the record's title and where the order stands. An email is written only for an
 * event newer than this, so a late event never announces a step the order has left behind,
 * and `payment_refunded` and `hold_ending`, which carry no buyer or title, find them here.
 */
export const orders = sqliteTable("orders", {
  id: text("id").primaryKey(),
  buyerId: text("buyer_id").notNull(),
  sellerId: text("seller_id").notNull(),
  vinylId: text("vinyl_id").notNull(),
  title: text("title").notNull(),
  status: text("status", { enum: ORDER_STATUSES }).notNull(),
  expiresAt: text("expires_at").notNull(),
  version: integer("version").notNull(),
});

/**
 * Listings as last seen (`vinyl_created`/`vinyl_updated`), by version: a record is matched
 * against wants when it is first seen for sale and again when its price falls below the
 * price last seen.
 */
export const listings = sqliteTable(
  "listings",
  {
    vinylId: text("vinyl_id").primaryKey(),
    sellerId: text("seller_id").notNull(),
    priceCents: integer("price_cents").notNull(),
    status: text("status", { enum: VINYL_STATUSES }).notNull(),
    version: integer("version").notNull(),
  },
  () => [check("listings_status", sql`status in ('available', 'reserved', 'sold', 'withdrawn')`)],
);

export const EMAIL_STATES = ["pending", "sending", "sent", "failed", "expired", "cancelled"] as const;

/**
 * Every email, from the moment an event calls for it until long after it went out (the
 * sent-message log). `key` names what the email is about, once: `<kind>:<order>:<recipient>`
 * for an order's emails, `want:<want>:<vinyl>` for a wantlist alert. The row is written in
 * the same batch as the inbox record of the event that calls for it, so an event handled
 * twice writes it once; sending then moves it `pending` → `sending` (a claim with a lease)
 * → `sent`, so it goes out once however many senders try (docs/notifications.md).
 * `data` holds what the email says, rendered when it is sent; the address is looked up
 * then too, so an email waits (`pending`) until its recipient's address is known.
 */
export const emails = sqliteTable(
  "emails",
  {
    key: text("key").primaryKey(),
    kind: text("kind").notNull(),
    recipientId: text("recipient_id").notNull(),
    /** The event that called for it. */
    eventId: text("event_id").notNull(),
    /** JSON: the facts the email states (record, prices, times, tracking). */
    data: text("data").notNull(),
    /** The want a wantlist alert is for; an alert whose want is gone is not sent. */
    wantId: text("want_id"),
    /** Epoch ms. */
    createdAt: integer("created_at").notNull(),
    /** Epoch ms after which the email would be pointless (a hold that has ended); never sent after it. */
    notAfter: integer("not_after"),
    state: text("state", { enum: EMAIL_STATES }).notNull().default("pending"),
    /** Epoch ms of the current claim; another sender may take the email over once it is older than the lease. */
    claimedAt: integer("claimed_at"),
    attempts: integer("attempts").notNull().default(0),
    sentAt: integer("sent_at"),
    /** The Email Service's id for the message. */
    messageId: text("message_id"),
    /** Why it was not sent, for a `failed` email. */
    error: text("error"),
  },
  (t) => [
    // The sender's queue: emails still to send, oldest first.
    index("emails_unsent").on(t.createdAt).where(sql`state in ('pending', 'sending')`),
    check("emails_state", sql`state in ('pending', 'sending', 'sent', 'failed', 'expired', 'cancelled')`),
  ],
);

/**
 * A copy of every message handed to the email binding, for the local mailbox page and for
 * tests. Written only where `MAILBOX_CAPTURE = "1"` (development and tests, never deployed).
 */
export const devMailbox = sqliteTable(
  "dev_mailbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    emailKey: text("email_key").notNull(),
    kind: text("kind").notNull(),
    from: text("from").notNull(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    headers: text("headers").notNull(),
    messageId: text("message_id"),
    sentAt: text("sent_at").notNull(),
  },
  (t) => [index("dev_mailbox_to").on(t.to, t.id)],
);

/**
 * Saved searches: a listing that matches gets its seller's record sent to the want's owner.
 * Each want has one `match_key`, the one criterion candidates are looked up by (the artist,
 * else the longest word, else the genre): a new listing reads only the wants its artist,
 * words or genre name, never the whole table (docs/notifications.md). `price_cap` is the
 * maximum price, or no limit, so the lookup can also range over price in the same index.
 */
export const wants = sqliteTable(
  "wants",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** What the user typed: words, all of which must begin a word of the record's text. */
    q: text("q"),
    artist: text("artist"),
    genre: text("genre", { enum: GENRES }),
    /** The minimum media grade. */
    condition: text("condition", { enum: MEDIA_GRADES }),
    maxPriceCents: integer("max_price_cents"),
    /** JSON array of the folded words of `q` (lower case, no diacritics). */
    terms: text("terms").notNull(),
    /** `artist`, folded; matched whole. */
    artistKey: text("artist_key"),
    /** `a:<artist>`, `t:<longest word>` or `g:<genre>`. */
    matchKey: text("match_key").notNull(),
    /** `condition` as a number, higher is better (M = 8 … P = 1); 0 for any. */
    minRank: integer("min_rank").notNull(),
    priceCap: integer("price_cap").generatedAlwaysAs(sql`coalesce(max_price_cents, 9007199254740991)`, { mode: "virtual" }),
    /** The criteria in one canonical form, so saving the same search twice keeps one want. */
    criteria: text("criteria").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    index("wants_match").on(t.matchKey, t.priceCap),
    uniqueIndex("wants_user_criteria").on(t.userId, t.criteria),
    index("wants_user_newest").on(t.userId, t.createdAt),
  ],
);
