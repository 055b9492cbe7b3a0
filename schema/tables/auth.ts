import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export { inbox, inboxSources, outbox } from "./messaging";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  /** Trimmed and lower-cased before it gets here; unique so two racing sign-ups cannot both win. */
  email: text("email").notNull().unique(),
  /**
   * The public name in links to the seller's page (`USERNAME_PATTERN`, lower-cased). Unique,
   * and never changed once given, so a link to a seller stays valid.
   */
  username: text("username").notNull().unique(),
  displayName: text("display_name"),
  /** ISO 3166-1 alpha-2 (`COUNTRIES`). */
  country: text("country"),
  bio: text("bio"),
  /** The version `profile_updated` carries: 0 at sign-up, + 1 on every change of the profile. */
  profileVersion: integer("profile_version").notNull().default(0),
  passwordHash: text("password_hash").notNull(),
  passwordSalt: text("password_salt").notNull(),
  /** Stored per user so the work factor can rise without invalidating old hashes. */
  passwordIterations: integer("password_iterations").notNull(),
  createdAt: text("created_at").notNull(),
});

/**
 * Every signed-in session; a session token names its row by `sid`. A session ends early
 * when `revoked_at` is set (sign-out, password change), which auth checks on every request
 * and announces to the other services with `session_revoked`.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** ISO-8601 UTC `toISOString()` form, so text order is time order. */
    createdAt: text("created_at").notNull(),
    /** When its token expires; the row is forgotten after that. */
    expiresAt: text("expires_at").notNull(),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("sessions_user_id").on(t.userId), index("sessions_expires_at").on(t.expiresAt)],
);

/**
 * Failed sign-ins, counted over a sliding window per email and client, to throttle guessing
 * without letting a stranger's failures lock the owner out from their own connection.
 */
export const signinFailures = sqliteTable(
  "signin_failures",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    email: text("email").notNull(),
    failedAt: integer("failed_at").notNull(),
    /** The client's address (`client-address.ts`); appended, so last. */
    client: text("client").notNull().default(""),
  },
  (t) => [index("signin_failures_email_client_failed_at").on(t.email, t.client, t.failedAt)],
);

/**
 * Password resets asked for by email ("Forgot password"). The link's token is never stored:
 * only its SHA-256, so a copy of this table resets nothing. A reset works once (`used_at`)
 * and until `expires_at`; the rows of the last hour per user cap how many are sent.
 */
export const passwordResets = sqliteTable(
  "password_resets",
  {
    /** SHA-256 of the link's token, lower-case hex. */
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id").notNull(),
    /** ISO-8601 UTC `toISOString()` form, so text order is time order. */
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
  },
  (t) => [index("password_resets_user_id_created_at").on(t.userId, t.createdAt)],
);
