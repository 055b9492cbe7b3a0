import { eq, sql } from "drizzle-orm";
import { sessions, users } from "../../../schema/tables/auth";
import { ApiError } from "../../shared/src/errors";
import { commit, stage, type Publisher } from "../../shared/src/messaging";
import { newContactEvent, newProfileEvent } from "./account-events";
import { database } from "./db";
import type { PasswordHash } from "./password";
import { newSession, type SessionRow } from "./sessions";
import { freeUsername, usernameBase } from "./usernames";

type UserRow = typeof users.$inferSelect;

/** Sign-ups that lost a generated username to a concurrent one ask for another this often. */
const ATTEMPTS = 10;

/**
 * Creates an account with its first session, its `profile_updated` and its
 * `contact_updated` (both version 0), all in one batch. The unique indexes decide races: a sign-up that loses on the email is 409, on
 * a chosen username 409, on a generated one it takes the next free name.
 */
export async function createAccount(
  env: Env,
  publisher: Publisher,
  input: { email: string; username: string | undefined; password: PasswordHash },
): Promise<{ user: UserRow; session: SessionRow }> {
  const db = database(env);
  for (let attempt = 1; ; attempt++) {
    const now = new Date();
    const user: UserRow = {
      id: crypto.randomUUID(),
      email: input.email,
      username: input.username ?? (await freeUsername(db, usernameBase(input.email))),
      displayName: null,
      country: null,
      bio: null,
      profileVersion: 0,
      passwordHash: input.password.hash,
      passwordSalt: input.password.salt,
      passwordIterations: input.password.iterations,
      createdAt: now.toISOString(),
    };
    const session = newSession(env, user.id, now);
    // The session and the event exist only if this very account was inserted.
    const created = sql`exists (select 1 from ${users} where ${users.id} = ${user.id})`;
    const [inserted, , , [emailTaken]] = await commit(
      db,
      [
        db.insert(users).values(user).onConflictDoNothing().returning({ id: users.id }),
        stage(db, [newProfileEvent(user), newContactEvent(user)], { when: created }),
        db
          .insert(sessions)
          .select(sql`select ${session.id}, ${session.userId}, ${session.createdAt}, ${session.expiresAt}, null where ${created}`),
        db.select({ id: users.id }).from(users).where(eq(users.email, user.email)).limit(1),
      ],
      publisher,
    );
    if (inserted.length === 1) return { user, session };
    if (emailTaken) throw new ApiError(409, "Email already in use");
    if (input.username !== undefined) throw new ApiError(409, "Username already taken");
    if (attempt === ATTEMPTS) throw new ApiError(409, "Username already taken");
  }
}
