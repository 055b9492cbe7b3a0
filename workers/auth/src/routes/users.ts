import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { and, desc, eq, lte, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../../../schema/tables/auth";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { errorContent, jsonBody, jsonContent } from "../../../shared/src/openapi";
import { clearSessionCookie, setSessionCookie, signSession } from "../../../shared/src/session";
import { clientKey } from "../client-address";
import { decoyHash, hashPassword, verifyPassword } from "../password";

const { users: usersTable, signinFailures } = schema;

/**
 * Sign-in throttling: this many failures for one email from one client within the window
 * answer 429 to that client. Counted per client so a stranger's guesses cannot lock the
 * owner out; guessing across many emails is limited per client by `SIGNIN_LIMITER`.
 */
export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_MS = 15 * 60 * 1000;

/** What a client that used up a Rate Limiting budget (a window of one minute) is told. */
function limited(c: Context<ServiceEnv<Env>>, message: string): never {
  c.header("Retry-After", "60");
  throw new ApiError(429, message);
}

const Email = z
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

const User = z.object({ id: z.uuid(), email: z.email() }).openapi("User");

export const users = createRouter<ServiceEnv<Env>>();

// Accounts, passwords and session cookies are never to be cached by a browser or the edge.
users.use(async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
});

const db = (env: Env) => drizzle(env.AUTH_DB, { schema });
const ttl = (env: Env) => Number(env.SESSION_TTL_SECONDS);

async function startSession(c: Context<ServiceEnv<Env>>, user: { id: string; email: string }) {
  const token = await signSession(user, c.env.JWT_SECRET, ttl(c.env));
  setSessionCookie(c, token, ttl(c.env));
}

users.openapi(
  createRoute({
    method: "post",
    path: "/signup",
    summary: "Create an account and sign in",
    request: jsonBody(SignupBody),
    responses: {
      201: jsonContent(User, "Signed up; the session cookie is set"),
      400: errorContent("Invalid email or password"),
      409: errorContent("Email already in use"),
      429: {
        ...errorContent("Too many sign-ups from this client within a minute"),
        headers: { "Retry-After": { description: "Seconds until this client may sign up again", schema: { type: "integer" } } },
      },
    },
  }),
  async (c) => {
    const { email, password } = c.req.valid("json");
    // Each sign-up costs a deliberately slow hash: a client gets a few a minute.
    const client = clientKey(c.req.header("cf-connecting-ip"));
    if (!(await c.env.SIGNUP_LIMITER.limit({ key: client })).success) limited(c, "Too many sign-ups. Try again in a minute.");
    const hashed = await hashPassword(password);
    const user = { id: crypto.randomUUID(), email };
    // The unique email index decides a race between two sign-ups: the loser inserts nothing.
    const inserted = await db(c.env)
      .insert(usersTable)
      .values({
        ...user,
        passwordHash: hashed.hash,
        passwordSalt: hashed.salt,
        passwordIterations: hashed.iterations,
        createdAt: new Date().toISOString(),
      })
      .onConflictDoNothing({ target: usersTable.email })
      .returning({ id: usersTable.id });
    if (inserted.length === 0) throw new ApiError(409, "Email already in use");
    await startSession(c, user);
    return c.json(user, 201);
  },
);

users.openapi(
  createRoute({
    method: "post",
    path: "/signin",
    summary: "Sign in with email and password",
    request: jsonBody(SigninBody),
    responses: {
      200: jsonContent(User, "Signed in; the session cookie is set"),
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
    const now = Date.now();
    const since = now - FAILURE_WINDOW_MS;
    const mine = and(eq(signinFailures.email, email), eq(signinFailures.client, client))!;
    // Each attempt is recorded as a failure before the password is checked, by one
    // conditional insert, so concurrent guesses cannot overtake the limit; success erases it.
    const [, claimed, [user], recent] = await d.batch([
      // Stale failures of every email are dropped here, so the table holds only the window's.
      d.delete(signinFailures).where(lte(signinFailures.failedAt, since)),
      d
        .insert(signinFailures)
        .select(
          // Values in the table's column order; a null id takes the next autoincrement value.
          sql`select null, ${email}, ${now}, ${client}
            where (select count(*) from ${signinFailures} where ${mine}) < ${MAX_FAILURES}`,
        )
        .returning({ id: signinFailures.id }),
      d.select().from(usersTable).where(eq(usersTable.email, email)).limit(1),
      d
        .select({ failedAt: signinFailures.failedAt })
        .from(signinFailures)
        .where(mine)
        .orderBy(desc(signinFailures.failedAt))
        .limit(MAX_FAILURES),
    ]);
    if (claimed.length === 0) {
      // Attempts resume once the oldest of the last MAX_FAILURES failures leaves the window.
      const oldest = recent.at(-1)?.failedAt ?? now;
      c.header("Retry-After", String(Math.max(1, Math.ceil((oldest + FAILURE_WINDOW_MS - now) / 1000))));
      throw new ApiError(429, "Too many failed sign-in attempts. Try again later.");
    }
    const ok = user
      ? await verifyPassword(password, {
          hash: user.passwordHash,
          salt: user.passwordSalt,
          iterations: user.passwordIterations,
        })
      : await verifyPassword(password, await decoyHash()).then(() => false);
    if (!ok || !user) throw new ApiError(400, "Invalid credentials");
    await d.delete(signinFailures).where(mine);
    await startSession(c, { id: user.id, email: user.email });
    return c.json({ id: user.id, email: user.email }, 200);
  },
);

users.openapi(
  createRoute({
    method: "post",
    path: "/signout",
    summary: "Sign out (clears the session cookie)",
    responses: { 200: jsonContent(z.object({}), "Signed out") },
  }),
  (c) => {
    clearSessionCookie(c);
    return c.json({}, 200);
  },
);

users.openapi(
  createRoute({
    method: "get",
    path: "/currentuser",
    summary: "The signed-in user, or null",
    responses: { 200: jsonContent(z.object({ currentUser: User.nullable() }), "The session's user; null when anonymous") },
  }),
  (c) => c.json({ currentUser: c.get("user") }, 200),
);
