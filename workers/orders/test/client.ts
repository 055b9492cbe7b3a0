import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { expect, vi } from "vitest";
import type { z } from "zod";
import { createEvent, eventEnvelope, type ControlMessage, type DomainEvent, type vinylData } from "../../../schema/events";
import { orders, outbox } from "../../../schema/tables/orders";
import { signSession, type SessionUser } from "../../shared/src/session";
import { app } from "../src/app";
import { database } from "../src/db";
import worker from "../src/index";
import type { OrderJson } from "../src/order-json";

/** The origin `wrangler dev` serves on. */
export const BASE = "http://localhost:8787";

export type ErrorBody = { errors: { message: string; field?: string }[] };
export type User = SessionUser & { cookie: string };
export type Vinyl = z.input<typeof vinylData>;
export type { OrderJson };
/** What the event helpers read of an order: its first JSON fields, which any older shape also has. */
export type OrderRef = Pick<OrderJson, "id" | "userId" | "status" | "cancelReason" | "expiresAt" | "vinyl" | "version" | "createdAt">;

export const db = database(env);

/** A fresh signed-in user: storage is shared by the tests of a file, so each test makes its own. */
export async function newUser(): Promise<User> {
  const id = crypto.randomUUID();
  const user = { id, username: `user-${id.slice(0, 8)}`, sessionId: crypto.randomUUID(), country: null };
  // env.JWT_SECRET is TEST_JWT_SECRET (workers/shared/test/worker-project.ts).
  return { ...user, cookie: `session=${await signSession(user, env.JWT_SECRET, 3600)}` };
}

/**
 * A request through the Worker's real entry, as the storefront forwards it. With `testEnv`
 * it goes to the same app with those bindings instead, and waits for the work the response
 * left running (the relay), so a test can read what was published.
 */
export async function call(path: string, init: RequestInit = {}, testEnv?: Env) {
  const request = new Request(new URL(path, BASE), init);
  if (!testEnv) return exports.default.fetch(request);
  const ctx = createExecutionContext();
  const res = await app.fetch(request, testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export function send(method: string, path: string, body?: unknown, user?: User, testEnv?: Env) {
  return call(
    path,
    {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(user ? { cookie: user.cookie } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    testEnv,
  );
}

export const get = (path: string, user?: User) => send("GET", path, undefined, user);
export const placeOrder = (user: User, vinylId: string, testEnv?: Env) => send("POST", "/api/orders", { vinylId }, user, testEnv);
export const cancelOrder = (user: User, orderId: string, testEnv?: Env) =>
  send("DELETE", `/api/orders/${orderId}`, undefined, user, testEnv);

/** Places an order that must succeed and returns it. */
export async function orderOf(user: User, vinylId: string): Promise<OrderJson> {
  const res = await placeOrder(user, vinylId);
  expect(res.status).toBe(201);
  return res.json<OrderJson>();
}

export async function expectError(res: Response, status: number, message?: string) {
  expect(res.status).toBe(status);
  const body = await res.json<ErrorBody>();
  if (message !== undefined) expect(body).toEqual({ errors: [{ message }] });
  else expect(body.errors.length).toBeGreaterThan(0);
  return body;
}

export const orderRow = async (id: string) => (await db.select().from(orders).where(eq(orders.id, id)))[0];

/** Every outbox row of the events about order `orderId`, sent or not (rows are kept after sending). */
export const outboxAbout = (orderId: string) =>
  db.select().from(outbox).where(sql`json_extract(${outbox.body}, '$.data.id') = ${orderId}`).orderBy(outbox.createdAt, outbox.destination);

/** The rows about order `orderId` no relay or sweep has sent yet. */
export const unsentAbout = async (orderId: string) => (await outboxAbout(orderId)).filter((r) => r.sentAt === null);

/** Makes the outbox rows about order `orderId` look `ms` older, as if the sweep came by that much later. */
export const age = (orderId: string, ms = 11_000) =>
  db.update(outbox).set({ createdAt: sql`${outbox.createdAt} - ${ms}` }).where(sql`json_extract(${outbox.body}, '$.data.id') = ${orderId}`);

// ——— Events ———

const STAMP = "2026-01-01T00:00:00.000Z";

/** A listing as catalog publishes it; a new record for `seller` unless overridden. */
export function vinylOf(seller: { id: string }, overrides: Partial<Vinyl> = {}): Vinyl {
  return {
    id: crypto.randomUUID(), userId: seller.id, title: "Kind of Blue", artist: "Miles Davis", genre: "Jazz",
    priceCents: 2599, currency: "USD", description: null, imageUrl: null, mediaCondition: "VG+",
    sleeveCondition: "VG", format: "LP", year: 1959, label: "Columbia", status: "available", orderId: null,
    version: 0, createdAt: STAMP, updatedAt: STAMP, ...overrides,
  };
}

export const vinylCreated = (vinyl: Vinyl) => createEvent("vinyl_created", "catalog", vinyl, vinyl.version);

/** The next version of `vinyl` with `changes`, as catalog would publish it. */
export function vinylUpdated(vinyl: Vinyl, changes: Partial<Vinyl>) {
  const next = { ...vinyl, ...changes, version: vinyl.version + 1 };
  return { vinyl: next, event: createEvent("vinyl_updated", "catalog", next, next.version) };
}

/** Auth's profile of `user` reaching orders, as auth publishes it (profile version `version`). */
export async function profileOf(user: { id: string }, username: string, displayName: string | null = null, version = 1) {
  const event = createEvent(
    "profile_updated",
    "auth",
    { userId: user.id, username, displayName, country: null, memberSince: STAMP },
    version,
  );
  await deliverEach([event]);
  return { username, displayName };
}

export const checkoutStarted = (order: OrderRef) =>
  createEvent("checkout_started", "payments", { orderId: order.id, sessionId: `cs_test_${order.id}` }, 0);

const payment = (order: OrderRef) => ({
  id: crypto.randomUUID(),
  orderId: order.id,
  stripeSessionId: `cs_test_${order.id}`,
  stripePaymentIntentId: `pi_test_${order.id}`,
  amountCents: Math.round(order.vinyl.price * 100),
  currency: order.vinyl.currency,
});

export const paymentCreated = (order: OrderRef) => createEvent("payment_created", "payments", payment(order), 0);
export const paymentRefunded = (order: OrderRef) => createEvent("payment_refunded", "payments", payment(order), 1);

/** The hold's alarm, as the expiration Worker publishes it: stamped when it rang, `lateMs` after the hold's end. */
export const expirationComplete = (order: OrderRef, lateMs = 0) =>
  createEvent("expiration_complete", "expiration", { orderId: order.id }, order.version, new Date(Date.parse(order.expiresAt) + lateMs));

// ——— Queues ———

/**
 * The Worker's bindings with every producer replaced by a recorder: what the Worker
 * publishes is read back from `published` (the envelopes, once per event, in send order)
 * and `sentTo` (per inbox, each message as that inbox receives it, with its `seq`), the
 * control messages it sends (the cron's heartbeats and resend requests) from `controlsTo`,
 * dead letters from `deadLetters`.
 */
export function recordingEnv() {
  const sentTo = { catalog: [] as DomainEvent[], payments: [] as DomainEvent[], expiration: [] as DomainEvent[], notifications: [] as DomainEvent[] };
  const controlsTo = {
    catalog: [] as ControlMessage[],
    payments: [] as ControlMessage[],
    expiration: [] as ControlMessage[],
    notifications: [] as ControlMessage[],
  };
  const deadLetters: unknown[] = [];
  const recorder = (into: unknown[], controls: unknown[] = into) => {
    const record = (body: unknown) => void (typeof body === "object" && body !== null && "control" in body ? controls : into).push(body);
    return {
      async send(body: unknown) {
        record(body);
      },
      async sendBatch(messages: Iterable<MessageSendRequest>) {
        for (const m of messages) record(m.body);
      },
    } as unknown as Queue;
  };
  const testEnv: Env = {
    ...env,
    CATALOG_EVENTS: recorder(sentTo.catalog, controlsTo.catalog),
    PAYMENTS_EVENTS: recorder(sentTo.payments, controlsTo.payments),
    EXPIRATION_EVENTS: recorder(sentTo.expiration, controlsTo.expiration),
    NOTIFICATIONS_EVENTS: recorder(sentTo.notifications, controlsTo.notifications),
    DEAD_LETTERS: recorder(deadLetters),
  };
  /** Events published so far, each checked against the contract; optionally only about one order. */
  const published = (orderId?: string) => {
    // Every order event goes to each of its four subscribers, except order_updated: payments and notifications alone.
    const routedToAll = sentTo.payments.filter((e) => e.type !== "order_updated").map((e) => e.id);
    expect(routedToAll).toEqual(sentTo.catalog.map((e) => e.id));
    expect(sentTo.expiration.map((e) => e.id)).toEqual(sentTo.catalog.map((e) => e.id));
    expect(sentTo.notifications.map((e) => e.id)).toEqual(sentTo.payments.map((e) => e.id));
    const events = sentTo.payments.map((e) => eventEnvelope.parse(e));
    return orderId ? events.filter((e) => "data" in e && (e.data as { id?: string }).id === orderId) : events;
  };
  return { env: testEnv, sentTo, controlsTo, published, deadLetters };
}

/**
 * Delivers `bodies` as one batch to the Worker's real queue handler, the way the runtime
 * would, and returns what it acked and retried once its background work (relays) settled.
 */
export async function deliver(bodies: unknown[], testEnv: Env = env, attempts = 1) {
  const messages = bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts, body }));
  const batch = createMessageBatch("orders-events", messages);
  const retries: { msgId: string; delaySeconds?: number }[] = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    vi.spyOn(message, "retry").mockImplementation((options) => {
      retries.push({ msgId: message.id, delaySeconds: options?.delaySeconds });
      retry(options);
    });
  }
  const ctx = createExecutionContext();
  await worker.queue!(batch, testEnv, ctx);
  const result = await getQueueResult(batch, ctx);
  return { ids: messages.map((m) => m.id), result, retries };
}

/** Delivers each event in its own batch, in order, and expects every one acked. */
export async function deliverEach(events: DomainEvent[], testEnv: Env = env) {
  for (const event of events) {
    const { ids, result } = await deliver([event], testEnv);
    expect(result.explicitAcks).toEqual(ids);
    expect(result.retryMessages).toEqual([]);
  }
}

/** Lists `vinyl` the way it really reaches orders: catalog's vinyl_created through the inbox. */
export async function listed(vinyl: Vinyl, testEnv: Env = env) {
  await deliverEach([vinylCreated(vinyl)], testEnv);
  return vinyl;
}

/** A shipping address in the United States, where `vinylOf`'s records ship from. */
export const ADDRESS = {
  name: "Ada Lovelace",
  line1: "12 Groove Street",
  line2: "Apartment 3",
  city: "Springfield",
  region: "IL",
  postalCode: "62701",
  country: "US",
};

export const putAddress = (user: User, orderId: string, address: unknown = ADDRESS, testEnv?: Env) =>
  send("PUT", `/api/orders/${orderId}/shipping-address`, address, user, testEnv);

/** A username nobody in this file's storage has yet. */
export const username = (prefix = "user") => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

/** A seller, a record of theirs known to orders, and a buyer. */
export async function sale(overrides: Partial<Vinyl> = {}) {
  const [seller, buyer] = [await newUser(), await newUser()];
  const vinyl = await listed(vinylOf(seller, overrides));
  return { seller, buyer, vinyl };
}

/** A sale paid for: the buyer ordered, gave `address` and paid; the order waits to be shipped. */
export async function paidSale(overrides: Partial<Vinyl> = {}, address: unknown = ADDRESS) {
  const { seller, buyer, vinyl } = await sale(overrides);
  const placed = await orderOf(buyer, vinyl.id);
  const withAddress = await putAddress(buyer, placed.id, address);
  expect(withAddress.status).toBe(200);
  await deliverEach([paymentCreated(placed)]);
  const order = await (await get(`/api/orders/${placed.id}`, buyer)).json<OrderJson>();
  expect(order).toMatchObject({ status: "complete", fulfilment: "to_ship" });
  return { seller, buyer, vinyl, order };
}

export const ship = (user: User, orderId: string, body: unknown = { carrier: "UPS", trackingNumber: "1Z999AA10123456784" }, testEnv?: Env) =>
  send("POST", `/api/orders/${orderId}/shipment`, body, user, testEnv);
export const confirmDelivery = (user: User, orderId: string, testEnv?: Env) => send("POST", `/api/orders/${orderId}/delivery`, undefined, user, testEnv);
export const leaveFeedback = (user: User, orderId: string, body: unknown = { rating: "positive", comment: "Mint, as described" }) =>
  send("POST", `/api/orders/${orderId}/feedback`, body, user);
export const reply = (user: User, orderId: string, body: unknown = { reply: "Thank you!" }) => send("POST", `/api/orders/${orderId}/feedback/reply`, body, user);
