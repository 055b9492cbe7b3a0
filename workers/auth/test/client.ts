import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { base64url, SignJWT, type JWTPayload } from "jose";
import type { DomainEvent, EventOf } from "../../../schema/events";
import { app } from "../src/app";

/** The origin `wrangler dev` serves on; plain-HTTP localhost, so cookies carry no `Secure`. */
export const BASE = "http://localhost:8787";

export type ErrorBody = { errors: { message: string; field?: string }[] };
export type UserBody = { id: string; email: string; username: string };
/** `GET /api/users/currentuser`'s account. */
export type AccountBody = UserBody & { displayName: string | null; country: string | null; bio: string | null; memberSince: string };
/** Who a token is for, as the session module reads it. */
export type TokenUser = { id: string; username: string; sessionId: string; country: string | null };

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

export const signup = (email: string, password = "correct horse battery", client = newClient(), username?: string) =>
  post("signup", { email, password, ...(username === undefined ? {} : { username }) }, { "cf-connecting-ip": client });
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

/** The user, username, session and country a `session=<token>` cookie names. */
export function tokenOf(cookie: string): TokenUser {
  const { sub, sid, username, country } = decodePayload(cookie.slice("session=".length));
  return { id: sub as string, username: username as string, sessionId: sid as string, country: typeof country === "string" ? country : null };
}

/** The user, username, session and country a response's cookie names. */
export const tokenUser = (res: Response) => tokenOf(sessionCookie(res));

/**
 * A token built with jose directly. Defaults give a valid session for `user` under the
 * test Worker's `JWT_SECRET`; each test overrides the one property it is about.
 */
export async function forgeToken(
  user: TokenUser,
  opts: { secret?: string; kid?: string; exp?: number; claims?: JWTPayload; omitExp?: boolean } = {},
) {
  const secret = opts.secret ?? env.JWT_SECRET;
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ sid: user.sessionId, username: user.username, ...(user.country === null ? {} : { country: user.country }), ...opts.claims })
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

/** Every event auth's outbox holds (one row per destination), oldest first, with the body parsed. */
export async function outboxEvents(type?: string) {
  const { results } = await env.AUTH_DB.prepare(
    "SELECT event_id, destination, type, body, seq, sent_at FROM outbox WHERE ?1 IS NULL OR type = ?1 ORDER BY created_at, seq",
  )
    .bind(type ?? null)
    .all<{ event_id: string; destination: string; type: string; body: string; seq: number | null; sent_at: number | null }>();
  return results.map((r) => ({ ...r, event: JSON.parse(r.body) as DomainEvent }));
}

/** The events of one type for one user (by `data.userId`), each once whatever its destinations. */
export async function eventsFor<T extends "profile_updated" | "session_revoked">(type: T, userId: string): Promise<EventOf<T>[]> {
  const rows = (await outboxEvents(type)).filter((r) => (r.event.data as { userId: string }).userId === userId);
  return [...new Map(rows.map((r) => [r.event_id, r.event as EventOf<T>])).values()];
}

/** A producer that records the bodies it was sent: events in `sent`, control messages (heartbeats) in `controls`. */
export function recordingQueue() {
  const sent: DomainEvent[] = [];
  const controls: { control: string; [field: string]: unknown }[] = [];
  const record = (body: unknown) => void ((body as object) && "control" in (body as object) ? controls.push(body as never) : sent.push(body as DomainEvent));
  const queue = {
    send: async (body: unknown) => record(body),
    sendBatch: async (messages: Iterable<MessageSendRequest>) => {
      for (const m of messages) record(m.body);
    },
  } as unknown as Queue;
  return { queue, sent, controls };
}

/** A request to the app with some bindings replaced, answered once the work it left running (the relay) is done. */
export async function callWith(bindings: Partial<Env>, path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(new URL(path, BASE), init), { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** A JSON request with an optional session cookie. */
export function json(method: string, path: string, body?: unknown, cookie?: string): RequestInit & { method: string } {
  return {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...(cookie ? { cookie } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
}

export const patchProfile = (body: unknown, cookie?: string) => call("/api/users/currentuser", json("PATCH", "/api/users/currentuser", body, cookie));
export const changePassword = (body: unknown, cookie?: string, client = newClient()) =>
  post("currentuser/password", body, { "cf-connecting-ip": client, ...(cookie ? { cookie } : {}) });
export const seller = (username: string) => call(`/api/sellers/${username}`);

/** The account currentuser answers for `cookie`, or null. */
export async function whoAmI(cookie: string) {
  return (await (await currentUser(cookie)).json<{ currentUser: AccountBody | null }>()).currentUser;
}
