import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { asc, eq } from "drizzle-orm";
import { expect } from "vitest";
import type { z } from "zod";
import { createEvent, type orderData, type vinylData } from "../../../schema/events";
import { devMailbox, emails } from "../../../schema/tables/notifications";
import { signSession, type SessionUser } from "../../shared/src/session";
import { database } from "../src/db";
import worker from "../src/index";

/** The origin `wrangler dev` serves on. */
export const BASE = "http://localhost:8787";
/** The shop's origin in this project's bindings (vitest.config.ts): every link in an email starts with it. */
export const SHOP = "https://shop.test";

export type ErrorBody = { errors: { message: string; field?: string }[] };
/** A signed-in user, and the address auth would have published for them (contact_updated). */
export type User = SessionUser & { email: string; cookie: string };

export const db = database(env);

/** A fresh signed-in user: storage is shared by the tests of a file, so each test makes its own. */
export async function newUser(): Promise<User> {
  const id = crypto.randomUUID();
  const session = { id, username: `user-${id.slice(0, 8)}`, sessionId: crypto.randomUUID(), country: null };
  return { ...session, email: `${id.slice(0, 8)}@example.com`, cookie: `session=${await signSession(session, env.JWT_SECRET, 3600)}` };
}

// ——— HTTP ———

/** A request through the Worker's real entry, as the storefront forwards it; with `testEnv`, the same app on those bindings. */
export async function call(path: string, init: RequestInit = {}, testEnv?: Env) {
  const request = new Request(new URL(path, BASE), init);
  if (!testEnv) return exports.default.fetch(request);
  const ctx = createExecutionContext();
  const res = await worker.fetch!(request as Request<unknown, IncomingRequestCfProperties>, testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export function send(method: string, path: string, body?: unknown, user?: User) {
  return call(path, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...(user ? { cookie: user.cookie } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function expectError(res: Response, status: number, message?: string) {
  expect(res.status).toBe(status);
  const body = await res.json<ErrorBody>();
  if (message !== undefined) expect(body.errors.map((e) => e.message)).toContain(message);
  else expect(body.errors.length).toBeGreaterThan(0);
  return body;
}

// ——— Events ———

export type Order = z.input<typeof orderData>;
export type Vinyl = z.input<typeof vinylData>;

const STAMP = "2026-01-01T00:00:00.000Z";

/** A buyer and a seller, each with an address notifications knows; the address events are delivered. */
export async function people() {
  const buyer = { id: crypto.randomUUID(), email: `buyer-${crypto.randomUUID().slice(0, 8)}@example.com` };
  const seller = { id: crypto.randomUUID(), email: `seller-${crypto.randomUUID().slice(0, 8)}@example.com` };
  await deliver([contactUpdated(buyer.id, buyer.email), contactUpdated(seller.id, seller.email)]);
  return { buyer, seller };
}

export const contactUpdated = (userId: string, email: string, version = 0) => createEvent("contact_updated", "auth", { userId, email }, version);

export const profileUpdated = (userId: string, username: string, displayName: string | null = null, version = 0) =>
  createEvent("profile_updated", "auth", { userId, username, displayName, country: null, memberSince: STAMP }, version);

/** An order as orders publishes it: held for 15 minutes from now unless `overrides` say otherwise. */
export function orderOf(buyer: { id: string }, seller: { id: string }, overrides: Partial<Order> = {}): Order {
  return {
    id: crypto.randomUUID(),
    userId: buyer.id,
    sellerId: seller.id,
    status: "created",
    cancelReason: null,
    expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    vinyl: { id: crypto.randomUUID(), title: "Kind of Blue", priceCents: 2599, currency: "USD" },
    version: 0,
    createdAt: STAMP,
    ...overrides,
  };
}

type OrderEventType = "order_created" | "order_cancelled" | "order_completed" | "order_updated";

/** The next version of `order` with `changes`, as orders would publish it. */
export function orderEvent(type: OrderEventType, order: Order, changes: Partial<Order> = {}) {
  const status = type === "order_completed" ? "complete" : type === "order_cancelled" ? "cancelled" : order.status;
  const version = type === "order_created" ? order.version : order.version + 1;
  const next: Order = { ...order, status, ...changes, version };
  return { order: next, event: createEvent(type, "orders", next, version) };
}

export const paymentRefunded = (order: Order, amountCents = order.vinyl.priceCents) =>
  createEvent(
    "payment_refunded",
    "payments",
    {
      id: crypto.randomUUID(),
      orderId: order.id,
      stripeSessionId: `cs_test_${order.id}`,
      stripePaymentIntentId: `pi_test_${order.id}`,
      amountCents,
      currency: "USD",
    },
    1,
  );

export const holdEnding = (order: Order) =>
  createEvent("hold_ending", "expiration", { orderId: order.id, userId: order.userId, expiresAt: order.expiresAt }, order.version);

/** A listing as catalog publishes it; a new record for `seller` unless overridden. */
export function vinylOf(seller: { id: string }, overrides: Partial<Vinyl> = {}): Vinyl {
  return {
    id: crypto.randomUUID(), userId: seller.id, title: "Kind of Blue", artist: "Miles Davis", genre: "Jazz",
    priceCents: 2599, currency: "USD", description: null, imageUrl: null, mediaCondition: "VG+",
    sleeveCondition: "VG", format: "LP", year: 1959, label: "Columbia", status: "available", orderId: null,
    version: 0, createdAt: STAMP, updatedAt: STAMP, ...overrides,
  };
}

export const vinylCreated = (vinyl: Vinyl) => createEvent("vinyl_created", "catalog", vinyl, vinyl.version ?? 0);

/** The next version of `vinyl` with `changes`, as catalog would publish it. */
export function vinylUpdated(vinyl: Vinyl, changes: Partial<Vinyl>) {
  const next = { ...vinyl, ...changes, version: (vinyl.version ?? 0) + 1 };
  return { vinyl: next, event: createEvent("vinyl_updated", "catalog", next, next.version) };
}

// ——— Queue and cron ———

/**
 * Delivers `bodies` as one batch to the Worker's queue handler (which applies them, then
 * sends what is due) and answers what it acked and retried.
 */
export async function deliver(bodies: unknown[], testEnv: Env = env, attempts = 1) {
  const messages = bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts, body }));
  const batch = createMessageBatch("notifications-events", messages);
  const ctx = createExecutionContext();
  await worker.queue!(batch, testEnv, ctx);
  const result = await getQueueResult(batch, ctx);
  return { ids: messages.map((m) => m.id), result };
}

/** Runs the Worker's cron once. */
export async function runCron(testEnv: Env = env) {
  const ctx = createExecutionContext();
  await worker.scheduled!(createScheduledController({ cron: "* * * * *", scheduledTime: new Date() }), testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

// ——— Email ———

/** Every message captured for `address`, oldest first. */
export const mailTo = (address: string) => db.select().from(devMailbox).where(eq(devMailbox.to, address)).orderBy(asc(devMailbox.id));

/** The email rows of one kind for one recipient (sent or not). */
export const emailsFor = (recipientId: string) => db.select().from(emails).where(eq(emails.recipientId, recipientId)).orderBy(asc(emails.createdAt));

type Sent = Parameters<SendEmail["send"]>[0];

/**
 * The Worker's bindings with an email binding that records what it is asked to send, and
 * fails the first sends as told: `failures` is a list of errors to throw, in order (an
 * Email Service error carries a `code`).
 */
export function emailEnv(failures: (Error & { code?: string })[] = []) {
  const sent: Sent[] = [];
  const failing = [...failures];
  let calls = 0;
  const EMAIL = {
    async send(message: Sent) {
      calls++;
      const failure = failing.shift();
      if (failure) throw failure;
      sent.push(message);
      return { messageId: `<test-${calls}@oscillation.test>` };
    },
  } as unknown as SendEmail;
  return { env: { ...env, EMAIL } as Env, sent, calls: () => calls };
}

/** An Email Service error as the binding throws it. */
export function serviceError(code: string) {
  return Object.assign(new Error(`${code}: refused`), { code });
}
