import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * What other services keep of auth's data, from its events. Every service that reads the
 * session cookie keeps `revoked_sessions`; services that show sellers keep `profiles`.
 */

/**
 * Sessions ended before their token expired (`session_revoked`). A token whose `sid` is
 * here is treated as no session at all. Rows are forgotten once the token would have
 * expired anyway.
 */
export const revokedSessions = sqliteTable(
  "revoked_sessions",
  {
    sessionId: text("session_id").primaryKey(),
    userId: text("user_id").notNull(),
    /** ISO-8601 UTC `toISOString()` form, so text order is time order. */
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [index("revoked_sessions_expires").on(t.expiresAt)],
);

/** Public profiles (`profile_updated`), moving only to a newer version. */
export const profiles = sqliteTable(
  "profiles",
  {
    userId: text("user_id").primaryKey(),
    username: text("username").notNull(),
    displayName: text("display_name"),
    country: text("country"),
    memberSince: text("member_since").notNull(),
    version: integer("version").notNull(),
  },
  (t) => [uniqueIndex("profiles_username").on(t.username)],
);
