import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { SignJWT, base64url, jwtVerify } from "jose";
import { ApiError } from "./api-error";

/** `sessionId` is the token's `sid`, which a service checks against its revoked sessions. */
export type SessionUser = { id: string; email: string; sessionId?: string };
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

/** Signs a session token for `user` that expires after `ttlSeconds`. */
export async function signSession(user: SessionUser, secret: string, ttlSeconds: number): Promise<string> {
  const [current] = await signingKeys(secret);
  return new SignJWT({ email: user.email })
    .setProtectedHeader({ alg: ALG, kid: current!.kid, typ: "JWT" })
    .setSubject(user.id)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(current!.key);
}

/** The user a token speaks for, or `null` for anything forged, expired, malformed or unsigned. */
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
    if (typeof payload.sub !== "string" || !payload.sub || typeof payload.email !== "string" || !payload.email) {
      return null;
    }
    const sessionId = typeof payload.sid === "string" && payload.sid ? payload.sid : undefined;
    return { id: payload.sub, email: payload.email, ...(sessionId && { sessionId }) };
  } catch {
    return null;
  }
}

/**
 * Reads the session cookie into `c.var.user` (`null` when anonymous); never rejects. With
 * `isRevoked`, a session ended early (sign-out, password change) is anonymous too: the
 * service asks its replica of auth's revocations, one lookup per signed-in request.
 */
export function currentUser<B extends SessionBindings>(
  isRevoked?: (env: B, sessionId: string) => Promise<boolean>,
): MiddlewareHandler<{ Bindings: B; Variables: SessionVariables }> {
  return async (c, next) => {
    let user = await verifySession(getCookie(c, SESSION_COOKIE), c.env.JWT_SECRET);
    if (user?.sessionId && isRevoked && (await isRevoked(c.env, user.sessionId))) user = null;
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
