import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { eq } from "drizzle-orm";
import * as schema from "../../../../schema/tables/auth";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { commit, publisherFor } from "../../../shared/src/messaging";
import { errorContent, jsonBody, jsonContent } from "../../../shared/src/openapi";
import { clearSessionCookie, optionalAuth } from "../../../shared/src/session";
import { stageSessionRevoked } from "../account-events";
import { SignedIn, toSignedIn } from "../account-json";
import { Username } from "../account-input";
import { createAccount } from "../accounts";
import { passwordAttempt } from "../attempts";
import { clientKey } from "../client-address";
import { database } from "../db";
import { decoyHash, hashPassword, verifyPassword } from "../password";
import { newSession, revokeSession, setSessionFor } from "../sessions";

const { users: usersTable, signinFailures, sessions } = schema;

// The guessing limits live with the attempt they count (../attempts.ts).
export { FAILURE_WINDOW_MS, MAX_FAILURES } from "../attempts";

/** What a client that used up a Rate Limiting budget (a window of one minute) is told. */
export function limited(c: Context<ServiceEnv<Env>>, message: string): never {
  c.header("Retry-After", "60");
  throw new ApiError(429, message);
}

export const Email = z
  .string({ error: "Email is required" })
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "Email must be a valid email address" }).max(254, { error: "Email is too long" }))
  .openapi({ example: "digger@example.com", format: "email", maxLength: 254 });

const NOT_AN_OBJECT = { error: "Request body must be a JSON object" };

// Hashing encodes the password as UTF-8, where every lone UTF-16 surrogate becomes U+FFFD;
// two different such passwords would hash alike, so they are refused.
const WELL_FORMED_PASSWORD = [(s: string) => s.isWellFormed(), { error: "Password must be valid text" }] as const;

const SignupBody = z
  .object(
    {
      email: Email,
      password: z
        .string({ error: "Password is required" })
        .refine(...WELL_FORMED_PASSWORD)
        .min(8, { error: "Password must be 8 to 128 characters" })
        .max(128, { error: "Password must be 8 to 128 characters" }),
      username: Username.optional(),
    },
    NOT_AN_OBJECT,
  )
  .openapi("Signup");

const SigninBody = z
  .object(
    {
      email: Email,
      password: z
        .string({ error: "Password is required" })
        .refine(...WELL_FORMED_PASSWORD)
        .min(1, { error: "Password is required" })
        .max(128, { error: "Password must be at most 128 characters" }),
    },
    NOT_AN_OBJECT,
  )
  .openapi("Signin");

export const users = createRouter<ServiceEnv<Env>>();

// Accounts, passwords and session cookies are never to be cached by a browser or the edge.
users.use(async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
});

const db = database;

users.openapi(
  createRoute({
    method: "post",
    path: "/signup",
    summary: "Create an account and sign in",
    description:
      "Without `username` one is made from the email's local part (a number added while taken). " +
      "Usernames are lower-cased and can never be changed. Publishes `profile_updated` (version 0).",
    request: jsonBody(SignupBody),
    responses: {
      201: jsonContent(SignedIn, "Signed up; the session cookie is set"),
      400: errorContent("Invalid email, password or username"),
      409: errorContent("`Email already in use`, or `Username already taken`"),
      429: {
        ...errorContent("Too many sign-ups from this client within a minute"),
        headers: { "Retry-After": { description: "Seconds until this client may sign up again", schema: { type: "integer" } } },
      },
    },
  }),
  async (c) => {
    const { email, password, username } = c.req.valid("json");
    // Each sign-up costs a deliberately slow hash: a client gets a few a minute.
    const client = clientKey(c.req.header("cf-connecting-ip"));
    if (!(await c.env.SIGNUP_LIMITER.limit({ key: client })).success) limited(c, "Too many sign-ups. Try again in a minute.");
    const hashed = await hashPassword(password);
    const { user, session } = await createAccount(c.env, publisherFor(c.env, c.executionCtx), { email, username, password: hashed });
    await setSessionFor(c, user, session);
    return c.json(toSignedIn(user), 201);
  },
);

users.openapi(
  createRoute({
    method: "post",
    path: "/signin",
    summary: "Sign in with email and password",
    request: jsonBody(SigninBody),
    responses: {
      200: jsonContent(SignedIn, "Signed in; the session cookie is set"),
      400: errorContent("Invalid input, or `Invalid credentials` (the same for an unknown email and a wrong password)"),
      429: {
        ...errorContent("Too many failed attempts for this email from this client in the last 15 minutes, or too many attempts from this client within a minute"),
        headers: { "Retry-After": { description: "Seconds until this client may try again", schema: { type: "integer" } } },
      },
    },
  }),
  async (c) => {
    const { email, password } = c.req.valid("json");
    const client = clientKey(c.req.header("cf-connecting-ip"));
    // Spraying one password over many emails is limited per client, whatever the emails.
    if (!(await c.env.SIGNIN_LIMITER.limit({ key: client })).success) limited(c, "Too many sign-in attempts. Try again in a minute.");
    const d = db(c.env);
    const attempt = passwordAttempt(c, d, email, { client });
    const [, claimed, recent, [user]] = await d.batch([...attempt.statements, d.select().from(usersTable).where(eq(usersTable.email, email)).limit(1)]);
    attempt.judge(claimed, recent, "Too many failed sign-in attempts. Try again later.");
    const ok = user
      ? await verifyPassword(password, {
          hash: user.passwordHash,
          salt: user.passwordSalt,
          iterations: user.passwordIterations,
        })
      : await verifyPassword(password, await decoyHash()).then(() => false);
    if (!ok || !user) throw new ApiError(400, "Invalid credentials");
    const session = newSession(c.env, user.id);
    await d.batch([d.delete(signinFailures).where(attempt.mine), d.insert(sessions).values(session)]);
    await setSessionFor(c, user, session);
    return c.json(toSignedIn(user), 200);
  },
);

users.openapi(
  createRoute({
    method: "post",
    path: "/signout",
    summary: "Sign out: ends the session everywhere and clears the cookie",
    description:
      "The session ends in auth at once and is announced (`session_revoked`), so every service refuses its token " +
      "within the messaging bound (docs/accounts.md).",
    middleware: [optionalAuth()] as const,
    responses: { 200: jsonContent(z.object({}), "Signed out") },
  }),
  async (c) => {
    const user = c.var.user;
    if (user) {
      const d = db(c.env);
      await commit(d, [revokeSession(d, user.sessionId), stageSessionRevoked(d, user.sessionId)], publisherFor(c.env, c.executionCtx));
    }
    clearSessionCookie(c);
    return c.json({}, 200);
  },
);
