import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  /** Trimmed and lower-cased before it gets here; unique so two racing sign-ups cannot both win. */
  email: text("email").notNull().unique(),
  passwordHash: text("password_hash").notNull(),
  passwordSalt: text("password_salt").notNull(),
  /** Stored per user so the work factor can rise without invalidating old hashes. */
  passwordIterations: integer("password_iterations").notNull(),
  createdAt: text("created_at").notNull(),
});

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
