import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { base64url, SignJWT, type JWTPayload } from "jose";

/** The origin `wrangler dev` serves on; plain-HTTP localhost, so cookies carry no `Secure`. */
export const BASE = "http://localhost:8787";

export type ErrorBody = { errors: { message: string; field?: string }[] };
export type UserBody = { id: string; email: string };

export function call(path: string, init: RequestInit = {}, base = BASE) {
  return exports.default.fetch(new Request(new URL(path, base), init));
}

let clients = 0;
/**
 * A fresh client address (`CF-Connecting-IP`), so requests that are not about rate limits
 * never share a client's budget; the rate limit tests name their clients themselves.
 */
export const newClient = () => `10.${(++clients >> 16) & 255}.${(clients >> 8) & 255}.${clients & 255}`;

/** A JSON POST to `/api/users/<path>`, as the storefront's own pages send it, from a fresh client unless `headers` names one. */
export function post(path: string, body?: unknown, headers: Record<string, string> = {}, base = BASE) {
  return call(
    `/api/users/${path}`,
    {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": newClient(), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    base,
  );
}

export function currentUser(cookie?: string) {
  return call("/api/users/currentuser", { headers: cookie === undefined ? {} : { cookie } });
}

export const signup = (email: string, password = "correct horse battery", client = newClient()) =>
  post("signup", { email, password }, { "cf-connecting-ip": client });
export const signin = (email: string, password = "correct horse battery", client = newClient()) =>
  post("signin", { email, password }, { "cf-connecting-ip": client });

/** The `Set-Cookie` header split into its value and attributes (attribute names lower-cased). */
export function parseSetCookie(res: Response) {
  const header = res.headers.get("set-cookie");
  if (header === null) return null;
  const [pair, ...rest] = header.split(/;\s*/);
  const eq = pair!.indexOf("=");
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const i = part.indexOf("=");
    attributes.set((i < 0 ? part : part.slice(0, i)).toLowerCase(), i < 0 ? "" : part.slice(i + 1));
  }
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attributes };
}

/** `session=<token>` from a response that signed someone in, ready for a `Cookie` header. */
export function sessionCookie(res: Response): string {
  const cookie = parseSetCookie(res);
  if (!cookie || cookie.name !== "session" || !cookie.value) throw new Error("response set no session cookie");
  return `session=${cookie.value}`;
}

export function decodePayload(token: string): JWTPayload {
  return JSON.parse(new TextDecoder().decode(base64url.decode(token.split(".")[1]!)));
}

/** The `kid` the shared session module gives a secret (a digest prefix), so forged tokens differ only where meant. */
export async function keyId(secret: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  return base64url.encode(new Uint8Array(digest)).slice(0, 12);
}

/**
 * A token built with jose directly. Defaults give a valid session for `user` under the
 * test Worker's `JWT_SECRET`; each test overrides the one property it is about.
 */
export async function forgeToken(
  user: UserBody,
  opts: { secret?: string; kid?: string; exp?: number; claims?: JWTPayload; omitExp?: boolean } = {},
) {
  const secret = opts.secret ?? env.JWT_SECRET;
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ email: user.email, ...opts.claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: opts.kid ?? (await keyId(secret)) })
    .setIssuedAt(now);
  if (user.id) jwt.setSubject(user.id);
  if (!opts.omitExp) jwt.setExpirationTime(opts.exp ?? now + 3600);
  return jwt.sign(new TextEncoder().encode(secret));
}

export async function countUsers(email: string) {
  const row = await env.AUTH_DB.prepare("SELECT count(*) AS n FROM users WHERE email = ?").bind(email).first<{ n: number }>();
  return row!.n;
}
