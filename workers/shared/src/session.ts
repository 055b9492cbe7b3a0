import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { SignJWT, base64url, jwtVerify } from "jose";
import { ApiError } from "./api-error";

/**
 * Who a session token speaks for. `sessionId` is the token's `sid`, which auth checks
 * against its sessions and every other service against its replica of revoked sessions.
 * No email address: only auth holds those.
 */
export type SessionUser = { id: string; username: string; sessionId: string };
export type SessionBindings = { JWT_SECRET: string };
export type SessionVariables = { user: SessionUser | null };

export const SESSION_COOKIE = "session";
const ALG = "HS256";

type SigningKey = { kid: string; key: CryptoKey };
const keyCache = new Map<string, Promise<SigningKey[]>>();

/**
 * `JWT_SECRET` holds one or more comma-separated secrets. The first signs new sessions;
 * all of them verify. To rotate, put the new secret first and keep the old one after it
 * until the longest session has expired. Each token names its key by `kid`, a digest of
 * the secret, so no key id needs configuring.
 */
function signingKeys(secret: string): Promise<SigningKey[]> {
  let keys = keyCache.get(secret);
  if (!keys) {
    const secrets = secret.split(",").map((s) => s.trim()).filter(Boolean);
    if (secrets.length === 0) throw new Error("JWT_SECRET is empty");
    keys = Promise.all(
      secrets.map(async (s) => {
        const raw = new TextEncoder().encode(s);
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", raw));
        // Imported once per isolate: given raw bytes, jose would import the key on every
        // verification, which showed in the CPU profile of every signed-in request.
        const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
        return { kid: base64url.encode(digest).slice(0, 12), key };
      }),
    );
    keyCache.set(secret, keys);
  }
  return keys;
}

/** When a session started at `now` with a lifetime of `ttlSeconds` expires: its token's `exp`, to the second. */
export const sessionExpiry = (ttlSeconds: number, now = new Date()) => new Date((Math.floor(now.getTime() / 1000) + ttlSeconds) * 1000);

/**
 * Signs a session token for `user`, issued at `now` and expiring `ttlSeconds` later
 * (`sessionExpiry`). Claims: `sub` (user id), `sid` (session id), `username`.
 */
export async function signSession(user: SessionUser, secret: string, ttlSeconds: number, now = new Date()): Promise<string> {
  const [current] = await signingKeys(secret);
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ sid: user.sessionId, username: user.username })
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
 * holder signs in again.
 */
export async function verifySession(token: string | undefined, secret: string): Promise<SessionUser | null> {
  if (!token) return null;
  const keys = await signingKeys(secret);
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const match = keys.find((k) => k.kid === header.kid);
        if (!match) throw new Error("unknown key id");
        return match.key;
      },
      { algorithms: [ALG], requiredClaims: ["sub", "exp"] },
    );
    const { sub, sid, username } = payload;
    if (!nonEmpty(sub) || !nonEmpty(sid) || !nonEmpty(username)) return null;
    return { id: sub, username, sessionId: sid };
  } catch {
    return null;
  }
}

/**
 * Reads the session cookie into `c.var.user` (`null` when anonymous); never rejects. With
 * `isRevoked`, a session ended early (sign-out, password change) is anonymous too: auth asks
 * its sessions, every other service its replica of auth's revocations, one lookup per
 * signed-in request.
 */
export function currentUser<B extends SessionBindings>(
  isRevoked?: (env: B, sessionId: string) => Promise<boolean>,
): MiddlewareHandler<{ Bindings: B; Variables: SessionVariables }> {
  return async (c, next) => {
    let user = await verifySession(getCookie(c, SESSION_COOKIE), c.env.JWT_SECRET);
    if (user && isRevoked && (await isRevoked(c.env, user.sessionId))) user = null;
    c.set("user", user);
    await next();
  };
}

/** The signed-in user, or a 401. */
// Structural so any route context with the session variables fits, whatever else it carries.
export function requireUser(c: { var: SessionVariables }): SessionUser {
  const user = c.var.user;
  if (!user) throw new ApiError(401, "You must be signed in");
  return user;
}

/** 401 for anonymous callers; mount on routes that need an account. */
export function requireAuth(): MiddlewareHandler<{ Variables: SessionVariables }> {
  return async (c, next) => {
    requireUser(c);
    await next();
  };
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
