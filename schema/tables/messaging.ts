import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { sql } from "drizzle-orm";

/**
 * Every database that publishes or consumes events carries these tables, so a state change,
 * the events it causes and the record of a processed message commit in one batch.
 * workers/shared/src/messaging/ is the only code that reads or writes them.
 */

/**
 * One row per (event, destination inbox). `seq` numbers the rows bound for one inbox
 * without gaps, in commit order, so the inbox can tell when one never arrived. A row is kept
 * after it is sent (`sent_at`) for a retention period, so it can be sent again on request.
 */
export const outbox = sqliteTable(
  "outbox",
  {
    eventId: text("event_id").notNull(),
    destination: text("destination").notNull(),
    type: text("type").notNull(),
    body: text("body").notNull(),
    createdAt: integer("created_at").notNull(),
    seq: integer("seq"),
    sentAt: integer("sent_at"),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.destination] }),
    // The sweep looks for rows no relay has sent yet.
    index("outbox_unsent").on(t.createdAt).where(sql`sent_at is null`),
    // Numbering takes the destination's highest seq; a resend request names a range of them.
    uniqueIndex("outbox_destination_seq").on(t.destination, t.seq),
    // The cron prunes sent rows past their retention.
    index("outbox_sent_at").on(t.sentAt).where(sql`sent_at is not null`),
  ],
);

/**
 * Ids of events this service has handled; the primary key makes a redelivery a no-op.
 * `source` and `seq` (from the sender's outbox) let the inbox find messages that never came.
 */
export const inbox = sqliteTable(
  "inbox",
  {
    eventId: text("event_id").primaryKey(),
    type: text("type").notNull(),
    processedAt: integer("processed_at").notNull().default(sql`(unixepoch('subsec') * 1000)`),
    source: text("source"),
    seq: integer("seq"),
  },
  (t) => [index("inbox_source_seq").on(t.source, t.seq).where(sql`seq is not null`)],
);

/**
 * What this inbox knows of each sender's numbering: every seq up to `watermark` has arrived;
 * the sender has sent up to `latest_seq` (from a message or its heartbeat), learnt at `latest_at`.
 */
export const inboxSources = sqliteTable("inbox_sources", {
  source: text("source").primaryKey(),
  watermark: integer("watermark").notNull().default(0),
  latestSeq: integer("latest_seq").notNull().default(0),
  latestAt: integer("latest_at").notNull().default(0),
});
