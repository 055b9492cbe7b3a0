import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { sql } from "drizzle-orm";

/**
 * Every database that publishes or consumes events carries these two tables, so a state
 * change, the events it causes and the record of a processed message commit in one batch.
 */

/** One row per (event, destination inbox); deleted once the queue accepted it. */
export const outbox = sqliteTable(
  "outbox",
  {
    eventId: text("event_id").notNull(),
    destination: text("destination").notNull(),
    type: text("type").notNull(),
    body: text("body").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.destination] }), index("outbox_created_at").on(t.createdAt)],
);

/** Ids of events this service has applied; the primary key makes a redelivery a no-op. */
export const inbox = sqliteTable("inbox", {
  eventId: text("event_id").primaryKey(),
  type: text("type").notNull(),
  processedAt: integer("processed_at").notNull().default(sql`(unixepoch('subsec') * 1000)`),
});
