import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { sessions, signinFailures, users } from "../../../../schema/tables/auth";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { commit, publisherFor } from "../../../shared/src/messaging";
import { errorContent, jsonBody, jsonContent } from "../../../shared/src/openapi";
import { optionalAuth, requireAuth, requireUser } from "../../../shared/src/session";
import { chunk, stageProfileUpdated, stageSessionsRevoked } from "../account-events";
import { PasswordChange, ProfileUpdate } from "../account-input";
import { Account, toAccount } from "../account-json";
import { claimPasswordAttempt } from "../attempts";
import { database } from "../db";
import { hashPassword, verifyPassword } from "../password";
import { liveSessions, newSession, setSessionFor, unendedSession } from "../sessions";

/** The signed-in user's own account: read it, edit the profile, change the password. */
export const currentUser = createRouter<ServiceEnv<Env>>();

// The account holds its email address: never cached by a browser or the edge.
currentUser.use(async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
});

const readAccount = (env: Env, id: string) => database(env).select().from(users).where(eq(users.id, id)).limit(1);

currentUser.openapi(
  createRoute({
    method: "get",
    path: "/",
    summary: "The signed-in user, or null",
    middleware: [optionalAuth()] as const,
    responses: {
      200: jsonContent(z.object({ currentUser: Account.nullable() }), "The session's account; null when anonymous or the session ended"),
    },
  }),
  async (c) => {
    const user = c.var.user;
    const [row] = user ? await readAccount(c.env, user.id) : [];
    return c.json({ currentUser: row ? toAccount(row) : null }, 200);
  },
);

const COLUMNS = { displayName: users.displayName, country: users.country, bio: users.bio } as const;

currentUser.openapi(
  createRoute({
    method: "patch",
    path: "/",
    summary: "Edit the public profile: display name, country, bio",
    description:
      'Omitted fields keep their value; `""` or `null` clears one. A change publishes `profile_updated` ' +
      "with the profile's version + 1; sending what is already there changes nothing. The username cannot change. " +
      "When the account's country is no longer the one the session token carries, the answer sets a fresh cookie " +
      "for the same session, expiring when it would have, with the new country; other sessions keep theirs.",
    middleware: [requireAuth()] as const,
    request: jsonBody(ProfileUpdate),
    responses: {
      200: jsonContent(Account, "The account as it now is; a fresh session cookie when the country changed"),
      400: errorContent("Invalid fields, one entry per field"),
      401: errorContent("Not signed in"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const update = c.req.valid("json");
    const fields = (Object.keys(COLUMNS) as (keyof typeof COLUMNS)[]).filter((k) => update[k] !== undefined);
    const d = database(c.env);
    if (fields.length === 0) {
      const [row] = await readAccount(c.env, user.id);
      if (!row) throw new ApiError(401, "You must be signed in");
      return c.json(toAccount(row), 200);
    }
    const set = Object.fromEntries(fields.map((k) => [k, update[k] ?? null]));
    // Only a real change moves the version and is announced.
    const differs: SQL[] = fields.map((k) => sql`${COLUMNS[k]} is not ${update[k] ?? null}`);
    const [, , [row], [session]] = await commit(
      d,
      [
        d
          .update(users)
          .set({ ...set, profileVersion: sql`${users.profileVersion} + 1` })
          .where(and(eq(users.id, user.id), sql`(${sql.join(differs, sql` or `)})`)),
        stageProfileUpdated(d, user.id),
        d.select().from(users).where(eq(users.id, user.id)).limit(1),
        unendedSession(d, user.sessionId),
      ],
      publisherFor(c.env, c.executionCtx),
    );
    if (!row) throw new ApiError(401, "You must be signed in");
    // The storefront's pages read the country from the token, not from here: this browser's
    // token says the new one at once. Other devices keep theirs until they sign in again
    // (docs/accounts.md); the same session goes on, so nothing is revoked or announced.
    if (session && row.country !== user.country) await setSessionFor(c, row, session, new Date());
    return c.json(toAccount(row), 200);
  },
);

currentUser.openapi(
  createRoute({
    method: "post",
    path: "/password",
    summary: "Change the password; ends every other session",
    description:
      "Checks the current password, then ends every session of the account (each announced with " +
      "`session_revoked`) and signs this browser in again with a fresh session cookie. Wrong current " +
      "passwords count as failed sign-ins of the account's email from that client, and against the session " +
      "whatever its address (10 of either within 15 minutes, then 429).",
    middleware: [requireAuth()] as const,
    request: jsonBody(PasswordChange),
    responses: {
      200: jsonContent(z.object({}), "Changed; a fresh session cookie is set and every other session has ended"),
      400: errorContent("`Current password is incorrect` (field `currentPassword`), or a new password that is not 8–128 characters"),
      401: errorContent("Not signed in"),
      429: {
        ...errorContent("Too many failed attempts for this account in the last 15 minutes"),
        headers: { "Retry-After": { description: "Seconds until the account may try again", schema: { type: "integer" } } },
      },
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const { currentPassword, newPassword } = c.req.valid("json");
    const d = database(c.env);
    const [row] = await readAccount(c.env, user.id);
    if (!row) throw new ApiError(401, "You must be signed in");
    await claimPasswordAttempt(c, d, row.email, user.sessionId);
    const ok = await verifyPassword(currentPassword, { hash: row.passwordHash, salt: row.passwordSalt, iterations: row.passwordIterations });
    if (!ok) throw new ApiError(400, [{ field: "currentPassword", message: "Current password is incorrect" }]);

    const hashed = await hashPassword(newPassword);
    const now = new Date();
    const ended = await liveSessions(d, user.id, now);
    const fresh = newSession(c.env, user.id, now);
    await commit(
      d,
      [
        d
          .update(users)
          .set({ passwordHash: hashed.hash, passwordSalt: hashed.salt, passwordIterations: hashed.iterations })
          .where(eq(users.id, user.id)),
        d.delete(signinFailures).where(eq(signinFailures.email, row.email)),
        // D1 binds at most 100 parameters per statement.
        ...chunk(ended, 90).map((group) =>
          d
            .update(sessions)
            .set({ revokedAt: now.toISOString() })
            .where(and(inArray(sessions.id, group.map((s) => s.id)), isNull(sessions.revokedAt))),
        ),
        ...stageSessionsRevoked(d, user.id, ended),
        d.insert(sessions).values(fresh),
      ],
      publisherFor(c.env, c.executionCtx),
    );
    await setSessionFor(c, row, fresh);
    return c.json({}, 200);
  },
);
