import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { and, eq, sql } from "drizzle-orm";
import { expect } from "vitest";
import { eventEnvelope, type DomainEvent } from "../../../schema/events";
import { outbox, vinyls } from "../../../schema/tables/catalog";
import { signSession, type SessionUser } from "../../shared/src/session";
import { app } from "../src/app";
import { database } from "../src/db";
import type { VinylJson } from "../src/vinyl-json";

/** The origin `wrangler dev` serves on. */
export const BASE = "http://localhost:8787";

export type ErrorBody = { errors: { message: string; field?: string }[] };
export type Vinyl = VinylJson;
export type Seller = SessionUser & { cookie: string };

export const db = database(env);

/** A fresh signed-in user: storage is shared by the tests of a file, so each test makes its own. */
export async function newUser(): Promise<Seller> {
  const id = crypto.randomUUID();
  const user = { id, username: `user-${id.slice(0, 8)}`, sessionId: crypto.randomUUID(), country: null };
  // env.JWT_SECRET is TEST_JWT_SECRET (workers/shared/test/worker-project.ts), which this
  // module cannot import: that file runs in Node, these tests in workerd.
  return { ...user, cookie: `session=${await signSession(user, env.JWT_SECRET, 3600)}` };
}

/** A request through the Worker's real entry, as the storefront forwards it. */
export function call(path: string, init: RequestInit = {}) {
  return exports.default.fetch(new Request(new URL(path, BASE), init));
}

export function send(method: string, path: string, body?: unknown, user?: Seller, headers: Record<string, string> = {}) {
  return call(path, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(user ? { cookie: user.cookie } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export const get = (path: string, user?: Seller) => send("GET", path, undefined, user);

export const validVinyl = (overrides: Record<string, unknown> = {}) => ({
  title: "Kind of Blue",
  price: 25,
  genre: "Jazz",
  artist: "Miles Davis",
  label: "Columbia",
  ...overrides,
});

/** Lists a record through the API and returns it. */
export async function list(user: Seller, overrides: Record<string, unknown> = {}): Promise<Vinyl> {
  const res = await send("POST", "/api/vinyls", validVinyl(overrides), user);
  if (res.status !== 201) throw new Error(`listing failed: ${res.status} ${await res.text()}`);
  return res.json<Vinyl>();
}

/** Puts a record into a state only order events can reach, straight in the database. */
export async function force(id: string, status: "reserved" | "sold" | "withdrawn" | "available") {
  const orderId = status === "reserved" || status === "sold" ? crypto.randomUUID() : null;
  await db.update(vinyls).set({ status, orderId }).where(eq(vinyls.id, id));
  return orderId;
}

export async function expectError(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = await res.json<ErrorBody>();
  expect(Object.keys(body)).toEqual(["errors"]);
  expect(body.errors.length).toBeGreaterThan(0);
  return body;
}

/**
 * Every outbox row for one inbox (orders' unless told) holding an event about vinyl `id`,
 * sent or not (rows are kept after sending), oldest version first: each event as its inbox receives it (parsed against the
 * contract, with the number the commit gave its row, `seq`), with that inbox and when it was
 * sent (`sentAt`, null until a relay or the sweep sent it).
 */
export async function outboxEvents(id: string, destination = "orders"): Promise<(DomainEvent & { destination: string; sentAt: number | null })[]> {
  const rows = await db
    .select()
    .from(outbox)
    .where(and(sql`json_extract(${outbox.body}, '$.data.id') = ${id}`, eq(outbox.destination, destination)))
    .orderBy(sql`json_extract(${outbox.body}, '$.version')`);
  return rows.map((row) => ({
    ...eventEnvelope.parse({ ...JSON.parse(row.body), seq: row.seq ?? undefined }),
    destination: row.destination,
    sentAt: row.sentAt,
  }));
}

/** The events about vinyl `id` no relay or sweep has sent yet. */
export const unsentEvents = async (id: string) => (await outboxEvents(id)).filter((e) => e.sentAt === null);

/** A producer that refuses every message: relays fail, and their rows stay unsent until a sweep. */
export const downQueue = {
  send: async () => {
    throw new Error("queue unavailable");
  },
  sendBatch: async () => {
    throw new Error("queue unavailable");
  },
} as unknown as Queue;

/** A message about the messaging itself (a heartbeat, a resend request), not an event. */
export type ControlBody = { control: string; [field: string]: unknown };
export const isControl = (body: unknown): body is ControlBody => typeof body === "object" && body !== null && "control" in body;

/** A producer that records what it was sent: events in `sent`, control messages (the cron's heartbeats) in `controls`. */
export function recordingQueue() {
  const sent: unknown[] = [];
  const controls: ControlBody[] = [];
  const record = (body: unknown) => void (isControl(body) ? controls.push(body) : sent.push(body));
  const queue = {
    send: async (body: unknown) => record(body),
    sendBatch: async (messages: Iterable<MessageSendRequest>) => {
      for (const m of messages) record(m.body);
    },
  } as unknown as Queue;
  return { queue, sent, controls };
}

/**
 * Calls the app with some bindings replaced, and waits for the work it left running
 * (the outbox relay) before answering.
 */
export async function callWith(bindings: Partial<Env>, method: string, path: string, body?: unknown, user?: Seller) {
  const ctx = createExecutionContext();
  const request = new Request(new URL(path, BASE), {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(user ? { cookie: user.cookie } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const res = await app.fetch(request, { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** The path and query of a page's `Link: rel="next"`, or null on the last page. */
export function nextLink(res: Response): string | null {
  const header = res.headers.get("link");
  if (header === null) return null;
  const match = /^<([^>]+)>; rel="next"$/.exec(header);
  expect(match).not.toBeNull();
  const url = new URL(match![1]!, BASE);
  return url.pathname + url.search;
}

/** Follows `Link: rel="next"` from `path` to the end; answers every page. */
export async function walk(path: string): Promise<Vinyl[][]> {
  const pages: Vinyl[][] = [];
  let next: string | null = path;
  while (next) {
    const res = await get(next);
    expect(res.status).toBe(200);
    pages.push(await res.json<Vinyl[]>());
    next = nextLink(res);
    expect(pages.length).toBeLessThan(200);
  }
  return pages;
}
