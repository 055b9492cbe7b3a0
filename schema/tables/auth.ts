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

/** Failed sign-ins, counted over a sliding window to throttle guessing. */
export const signinFailures = sqliteTable(
  "signin_failures",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    email: text("email").notNull(),
    failedAt: integer("failed_at").notNull(),
  },
  (t) => [index("signin_failures_email_failed_at").on(t.email, t.failedAt)],
);
