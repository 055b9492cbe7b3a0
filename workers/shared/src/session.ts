import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { SignJWT, jwtVerify } from "jose";
import { ApiError } from "./api-error";
import { keyNamedIn, keyRing, kidOf } from "./key-ring";

/**
 * Who a session token speaks for. `sessionId` is the token's `sid`, which auth checks
 * against its sessions and every other service against its replica of revoked sessions.
 * `country` is the profile's country (ISO 3166-1 alpha-2) when the token was signed, so the
 * storefront can hint at shipping without asking auth; it may lag an edit made on another
 * device (docs/accounts.md), so nothing that decides may rely on it. No email address: only
 * auth holds those.
 */
export type SessionUser = { id: string; username: string; sessionId: string; country: string | null };
export type SessionBindings = { JWT_SECRET: string };

export const SESSION_COOKIE = "session";
const ALG = "HS256";

/**
 * `JWT_SECRET` holds one or more comma-separated secrets. The first signs new sessions;
 * all of them verify. To rotate, put the new secret first and keep the old one after it
 * until the longest session has expired. Each token names its key by `kid`, a digest of
 * the secret (src/key-ring.ts).
 */
const signingKeys = (secret: string) =>
  keyRing("session", secret, async (s) => {
    const raw = new TextEncoder().encode(s);
    // Imported once per isolate: given raw bytes, jose would import the key on every
    // verification, which showed in the CPU profile of every signed-in request.
    const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    return { kid: await kidOf(raw), key };
  });

/** When a session started at `now` with a lifetime of `ttlSeconds` expires: its token's `exp`, to the second. */
export const sessionExpiry = (ttlSeconds: number, now = new Date()) => new Date((Math.floor(now.getTime() / 1000) + ttlSeconds) * 1000);

/**
 * Signs a session token for `user`, issued at `now` and expiring `ttlSeconds` later
 * (`sessionExpiry`). Claims: `sub` (user id), `sid` (session id), `username`, and
 * `country` when the profile names one.
 */
export async function signSession(user: SessionUser, secret: string, ttlSeconds: number, now = new Date()): Promise<string> {
  const [current] = await signingKeys(secret);
  const issuedAt = Math.floor(now.getTime() / 1000);
  const claims = { sid: user.sessionId, username: user.username, ...(user.country === null ? {} : { country: user.country }) };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALG, kid: current!.kid, typ: "JWT" })
    .setSubject(user.id)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(current!.key);
}

const nonEmpty = (value: unknown): value is string => typeof value === "string" && value.length > 0;

/**
 * The user a token speaks for, or `null` for anything forged, expired, malformed or unsigned.
 * A token without `sid` (issued before sessions could end early) is no session either: its
 * holder signs in again. One without `country` (no country in the profile, or signed before
 * tokens carried it) is a session with country `null`.
 */
export async function verifySession(token: string | undefined, secret: string): Promise<SessionUser | null> {
  if (!token) return null;
  const keys = await signingKeys(secret);
  try {
    const { payload } = await jwtVerify(token, keyNamedIn(keys), { algorithms: [ALG], requiredClaims: ["sub", "exp"] });
    const { sub, sid, username, country } = payload;
    if (!nonEmpty(sub) || !nonEmpty(sid) || !nonEmpty(username)) return null;
    return { id: sub, username, sessionId: sid, country: nonEmpty(country) ? country : null };
  } catch {
    return null;
  }
}

/**
 * A verified token not yet checked against early ends (sign-out, password change), and the
 * check: auth asks its sessions, every other service its replica of auth's revocations.
 */
export type PendingSession = { claims: SessionUser; isRevoked: () => Promise<boolean> };

export type SessionVariables = {
  /** The signed-in user, set by `requireAuth`/`optionalAuth`; `null` on routes that never ask. */
  user: SessionUser | null;
  session: PendingSession | null;
};

/**
 * Reads the session cookie into `c.var.session`; never rejects, and spends no D1 round trip.
 * The revocation lookup is left to the routes that act for a user (`requireAuth`,
 * `optionalAuth`), so a public read by a signed-in shopper (every catalog page) costs what an
 * anonymous one does.
 */
export function readSession<B extends SessionBindings>(
  isRevoked?: (env: B, sessionId: string) => Promise<boolean>,
): MiddlewareHandler<{ Bindings: B; Variables: SessionVariables }> {
  return async (c, next) => {
    const claims = await verifySession(getCookie(c, SESSION_COOKIE), c.env.JWT_SECRET);
    c.set("user", null);
    c.set("session", claims && { claims, isRevoked: async () => (isRevoked ? isRevoked(c.env, claims.sessionId) : false) });
    await next();
  };
}

/** The session's user unless it was ended early; one lookup. */
async function checkedUser(c: { var: SessionVariables }): Promise<SessionUser | null> {
  const session = c.var.session;
  if (!session) return null;
  return (await session.isRevoked()) ? null : session.claims;
}

/** The signed-in user, or a 401. Only on routes behind `requireAuth()` (or after `confirmSession`). */
// Structural so any route context with the session variables fits, whatever else it carries.
export function requireUser(c: { var: SessionVariables }): SessionUser {
  const user = c.var.user;
  if (!user) throw new ApiError(401, "You must be signed in");
  return user;
}

/** 401 for anonymous callers and ended sessions; mount on routes that need an account. */
export function requireAuth(): MiddlewareHandler<{ Variables: SessionVariables }> {
  return async (c, next) => {
    c.set("user", await checkedUser(c));
    requireUser(c);
    await next();
  };
}

/** Sets `c.var.user` when the caller is signed in, for routes that answer anonymous callers too. */
export function optionalAuth(): MiddlewareHandler<{ Variables: SessionVariables }> {
  return async (c, next) => {
    c.set("user", await checkedUser(c));
    await next();
  };
}

/** 401 without a valid token; the route confirms the session itself (`unconfirmedUser`). */
export function requireSessionToken(): MiddlewareHandler<{ Variables: SessionVariables }> {
  return async (c, next) => {
    unconfirmedUser(c);
    await next();
  };
}

/**
 * For a route that looks the session up among the revoked ones in its own first D1 batch,
 * saving a round trip: the token's user, or a 401 without a valid token. Nothing may be
 * written for this user before `confirmSession` has been given the lookup's answer.
 */
export function unconfirmedUser(c: { var: SessionVariables }): SessionUser {
  const claims = c.var.session?.claims;
  if (!claims) throw new ApiError(401, "You must be signed in");
  return claims;
}

/** Settles what `unconfirmedUser` left open: 401 for a session ended early, else the user. */
export function confirmSession<E extends { Variables: SessionVariables }>(c: Context<E>, revoked: boolean): SessionUser {
  const user = unconfirmedUser(c);
  if (revoked) throw new ApiError(401, "You must be signed in");
  (c as unknown as Context<{ Variables: SessionVariables }>).set("user", user);
  return user;
}

/** `Secure` everywhere except plain-HTTP localhost, where browsers would drop the cookie. */
function isPlainLocalhost(url: string) {
  const { protocol, hostname } = new URL(url);
  return protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(hostname);
}

export function setSessionCookie(c: Context, token: string, maxAgeSeconds: number) {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    secure: !isPlainLocalhost(c.req.url),
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(c: Context) {
  deleteCookie(c, SESSION_COOKIE, {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    secure: !isPlainLocalhost(c.req.url),
  });
}
