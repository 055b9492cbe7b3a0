import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import { passwordResets, sessions, signinFailures, users } from "../../../../schema/tables/auth";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { sealResetToken } from "../../../shared/src/reset-link-seal";
import { commit, publisherFor, stageFromRow, type Db } from "../../../shared/src/messaging";
import { errorContent, jsonBody, jsonContent } from "../../../shared/src/openapi";
import { chunk, stageSessionsRevoked } from "../account-events";
import { INVALID_RESET_LINK, PasswordResetConfirm } from "../account-input";
import { SignedIn, toSignedIn } from "../account-json";
import { clientKey } from "../client-address";
import { database } from "../db";
import { hashPassword } from "../password";
import { newResetToken, resetTokenHash } from "../reset-tokens";
import { liveSessions, newSession, setSessionFor } from "../sessions";
import { Email, limited } from "./users";

/** How long a reset link works. */
export const RESET_TTL_MS = 30 * 60 * 1000;
/** Resets sent for one account within `RESET_WINDOW_MS`; more requests are answered alike and send nothing. */
export const MAX_RESETS_PER_WINDOW = 3;
export const RESET_WINDOW_MS = 60 * 60 * 1000;
/** Reset rows are kept this long after they were made (the window needs the last hour's), then forgotten by the cron. */
export const RESET_RETENTION_MS = 24 * 60 * 60 * 1000;

const NOT_AN_OBJECT = { error: "Request body must be a JSON object" };

const PasswordResetRequest = z.object({ email: Email }, NOT_AN_OBJECT).openapi("PasswordResetRequest");

/** "Forgot password": asking for a reset link by email, and using it. */
export const passwordReset = createRouter<ServiceEnv<Env>>();

// A reset answers with a session cookie; nothing here may be cached.
passwordReset.use(async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
});

passwordReset.openapi(
  createRoute({
    method: "post",
    path: "/",
    summary: "Ask for a password reset link by email",
    description:
      "Answers `202 {}` for every well-formed email, whether or not it has an account, so the answer says nothing " +
      "about who has one. For an account, emails a link (`/reset-password?token=…`) that works once, for 30 minutes: " +
      "auth stores only the token's SHA-256 and sends the token, sealed, to notifications alone (`password_reset_requested`). " +
      "At most 3 links per account an hour (later requests are answered alike and send nothing); at most 5 requests " +
      "per client a minute (then 429).",
    request: jsonBody(PasswordResetRequest),
    responses: {
      202: jsonContent(z.object({}), "Accepted: if the email has an account, a link is on its way"),
      400: errorContent("Invalid email"),
      429: {
        ...errorContent("Too many reset requests from this client within a minute"),
        headers: { "Retry-After": { description: "Seconds until this client may ask again", schema: { type: "integer" } } },
      },
    },
  }),
  async (c) => {
    const { email } = c.req.valid("json");
    const client = clientKey(c.req.header("cf-connecting-ip"));
    if (!(await c.env.RESET_LIMITER.limit({ key: client })).success) limited(c, "Too many password reset requests. Try again in a minute.");
    const d = database(c.env);
    const token = newResetToken();
    const [hash, sealed] = await Promise.all([resetTokenHash(token), sealResetToken(token, c.env.JWT_SECRET)]);
    const now = Date.now();
    const since = new Date(now - RESET_WINDOW_MS).toISOString();
    // One batch whatever the email: the reset row exists only for an account under its cap, and
    // the event only with the row. Known and unknown emails cost the same round trip.
    await commit(
      d,
      [
        d.insert(passwordResets).select(
          // Values in the table's column order.
          sql`select ${hash}, ${users.id}, ${new Date(now).toISOString()}, ${new Date(now + RESET_TTL_MS).toISOString()}, null
            from ${users}
            where ${users.email} = ${email}
              and (select count(*) from ${passwordResets}
                where ${passwordResets.userId} = ${users.id} and ${passwordResets.createdAt} > ${since}) < ${MAX_RESETS_PER_WINDOW}`,
        ),
        stageFromRow(d, "password_reset_requested", {
          source: "auth",
          from: passwordResets,
          where: sql`${passwordResets.tokenHash} = ${hash}`,
          data: sql`json_object('userId', ${passwordResets.userId}, 'sealedToken', ${sealed}, 'expiresAt', ${passwordResets.expiresAt})`,
          // Each reset is its own aggregate, announced once.
          version: sql`0`,
        }),
      ],
      publisherFor(c.env, c.executionCtx),
    );
    return c.json({}, 202);
  },
);

const invalidLink = () => new ApiError(400, [{ field: "token", message: INVALID_RESET_LINK }]);

/** The reset `hash` names, with its account, while it can still be used. */
async function usableReset(d: Db, hash: string, now: Date) {
  const [row] = await d
    .select({ userId: users.id, email: users.email, username: users.username, country: users.country })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(and(eq(passwordResets.tokenHash, hash), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now.toISOString())))
    .limit(1);
  return row;
}

passwordReset.openapi(
  createRoute({
    method: "post",
    path: "/confirm",
    summary: "Set a new password with a reset link's token; ends every other session",
    description:
      "The link works once and for 30 minutes: its use is claimed by one conditional update in the same batch that " +
      "sets the password, so of two concurrent uses one wins. Ends every session of the account (each announced " +
      "with `session_revoked`), voids the account's other unused links, clears its failed sign-ins, and signs this " +
      "browser in with a fresh session cookie.",
    request: jsonBody(PasswordResetConfirm),
    responses: {
      200: jsonContent(SignedIn, "Password set; signed in with a fresh session cookie, every other session ended"),
      400: errorContent(
        "`This reset link is invalid or has expired` (field `token`: unknown, used or expired), or a new password that is not 8–128 characters",
      ),
    },
  }),
  async (c) => {
    const { token, newPassword } = c.req.valid("json");
    const d = database(c.env);
    const now = new Date();
    const hash = await resetTokenHash(token);
    const reset = await usableReset(d, hash, now);
    if (!reset) throw invalidLink();

    const hashed = await hashPassword(newPassword);
    const ended = await liveSessions(d, reset.userId, now);
    const fresh = newSession(c.env, reset.userId, now);
    const stamp = now.toISOString();
    // Everything after the claim happens only if this very request claimed the link: the
    // fresh session is inserted right after it (`changes() = 1`), and the rest tests for it.
    const claimed = sql`exists (select 1 from ${sessions} where ${sessions.id} = ${fresh.id})`;
    const [won] = await commit(
      d,
      [
        d
          .update(passwordResets)
          .set({ usedAt: stamp })
          .where(and(eq(passwordResets.tokenHash, hash), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, stamp)))
          .returning({ userId: passwordResets.userId }),
        d
          .insert(sessions)
          .select(sql`select ${fresh.id}, ${fresh.userId}, ${fresh.createdAt}, ${fresh.expiresAt}, null where changes() = 1`),
        d
          .update(users)
          .set({ passwordHash: hashed.hash, passwordSalt: hashed.salt, passwordIterations: hashed.iterations })
          .where(and(eq(users.id, reset.userId), claimed)),
        // Whoever was locked out by guesses at the old password may sign in with the new one.
        d.delete(signinFailures).where(and(eq(signinFailures.email, reset.email), claimed)),
        // The account's other links would set a password over the one just chosen.
        d
          .update(passwordResets)
          .set({ usedAt: stamp })
          .where(and(eq(passwordResets.userId, reset.userId), isNull(passwordResets.usedAt), claimed)),
        // D1 binds at most 100 parameters per statement.
        ...chunk(ended, 90).map((group) =>
          d
            .update(sessions)
            .set({ revokedAt: stamp })
            .where(and(inArray(sessions.id, group.map((s) => s.id)), isNull(sessions.revokedAt), claimed)),
        ),
        ...stageSessionsRevoked(d, reset.userId, ended, { when: claimed }),
      ],
      publisherFor(c.env, c.executionCtx),
    );
    if (won.length === 0) throw invalidLink();
    await setSessionFor(c, { id: reset.userId, username: reset.username, country: reset.country }, fresh);
    return c.json(toSignedIn({ id: reset.userId, email: reset.email, username: reset.username }), 200);
  },
);

/** Forgets reset rows older than the retention (long expired, and out of the window); for the cron. */
export async function prunePasswordResets(d: Db, now = Date.now()) {
  const result = await d.delete(passwordResets).where(lt(passwordResets.createdAt, new Date(now - RESET_RETENTION_MS).toISOString()));
  return result.meta.changes;
}
