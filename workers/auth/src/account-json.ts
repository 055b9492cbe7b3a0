import { z } from "@hono/zod-openapi";
import { users } from "../../../schema/tables/auth";

type UserRow = typeof users.$inferSelect;

const Username = z.string().openapi({ example: "crate-digger", description: "Unique, lower-case, never changes" });
const Profile = {
  displayName: z.string().nullable().openapi({ example: "Crate Digger" }),
  country: z.string().nullable().openapi({ example: "DE", description: "ISO 3166-1 alpha-2" }),
  bio: z.string().nullable().openapi({ example: "Jazz and soul from the sixties, graded with care." }),
  memberSince: z.string().openapi({ format: "date-time", description: "When the account was made" }),
};

/** What sign-up and sign-in answer. */
export const SignedIn = z.object({ id: z.uuid(), email: z.email(), username: Username }).openapi("SignedIn");

/** The signed-in user's own account, email included. */
export const Account = z.object({ id: z.uuid(), email: z.email(), username: Username, ...Profile }).openapi("Account");

/** What anyone may see of an account: no id, no email. */
export const PublicProfile = z.object({ username: Username, ...Profile }).openapi("PublicProfile");

export const toSignedIn = (row: Pick<UserRow, "id" | "email" | "username">) => ({ id: row.id, email: row.email, username: row.username });

export const toPublicProfile = (row: UserRow) => ({
  username: row.username,
  displayName: row.displayName,
  country: row.country,
  bio: row.bio,
  memberSince: row.createdAt,
});

export const toAccount = (row: UserRow) => ({ id: row.id, email: row.email, ...toPublicProfile(row) });
