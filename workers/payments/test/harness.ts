import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { createEvent, type ControlMessage, type DomainEvent, type EventType } from "../../../schema/events";
import { checkoutSessions, payments } from "../../../schema/tables/payments";
import { setLogLevel } from "../../shared/src/log";
import { signSession, type SessionUser } from "../../shared/src/session";
import { app as sandboxApp } from "../../stripe-sandbox/src/app";
import type { SandboxBindings } from "../../stripe-sandbox/src/bindings";
import { app } from "../src/app";
import { database } from "../src/db";
import worker from "../src/index";
import { stripeClient } from "../src/stripe-client";

/** The origin `wrangler dev` serves on. */
export const BASE = "http://localhost:8787";

export type User = SessionUser & { cookie: string };
export type ErrorBody = { errors: { message: string; field?: string }[] };
export type CheckoutBody = { sessionId: string; clientSecret: string; mode: string; publishableKey: string | null };
export type PaymentBody = { id: string; orderId: string; status: string };

export const db = database(env);

// Queue handlers, unlike requests, never set the log threshold; tests want only warnings.
setLogLevel(env.LOG_LEVEL);

/** A fresh signed-in user: storage is shared by the tests of a file, so each test makes its own. */
export async function newUser(): Promise<User> {
  const id = crypto.randomUUID();
  const user = { id, username: `user-${id.slice(0, 8)}`, sessionId: crypto.randomUUID(), country: null };
  return { ...user, cookie: `session=${await signSession(user, env.JWT_SECRET, 3600)}` };
}

/** Runs `fetch` of an app and waits for the work it left running (outbox relays). */
async function run(fetch: (ctx: ExecutionContext) => Response | Promise<Response>) {
  const ctx = createExecutionContext();
  const res = await fetch(ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** A producer that records every event it is sent, and apart the control messages (the cron's heartbeats). */
function recordingQueue() {
  const sent: DomainEvent[] = [];
  const controls: ControlMessage[] = [];
  const record = (body: DomainEvent | ControlMessage) => void ("control" in body ? controls.push(body) : sent.push(body));
  const queue = {
    send: async (body: DomainEvent | ControlMessage) => record(body),
    sendBatch: async (messages: Iterable<MessageSendRequest<DomainEvent | ControlMessage>>) => {
      for (const m of messages) record(m.body);
    },
  } as unknown as Queue;
  return { queue, sent, controls };
}

/**
 * Payments and the stripe-sandbox running together in this test's workerd, as `npm run dev`
 * runs them: payments' stripe SDK reaches the sandbox app through STRIPE_SANDBOX, and the
 * sandbox delivers webhooks to the payments app through PAYMENTS. Events payments
 * publishes are recorded in `published`.
 *
 * `holdWebhooks()` makes the endpoint answer 503 (the sandbox records the failed delivery),
 * to let a test choose when a webhook arrives: `redeliver` sends it then. The test harness
 * also takes the sandbox down, or runs a hook as a request reaches it, to stage races.
 */
export function harness() {
  const published = recordingQueue();
  let webhooksHeld = false;
  let stripeDown = false;
  let beforeStripe: ((request: Request) => Promise<void>) | undefined;
  const sandboxFetcher = {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (stripeDown) throw new Error("connection refused");
      await beforeStripe?.(request.clone());
      return run((ctx) => sandboxApp.fetch(request, sandboxEnv, ctx));
    },
  } as unknown as Fetcher;
  const paymentsFetcher = {
    fetch: (input: RequestInfo | URL, init?: RequestInit) =>
      webhooksHeld
        ? Promise.resolve(new Response("held by the test", { status: 503 }))
        : run((ctx) => app.fetch(new Request(input, init), paymentsEnv, ctx)),
  } as unknown as Fetcher;
  const paymentsEnv: Env = { ...env, ORDERS_EVENTS: published.queue, STRIPE_SANDBOX: sandboxFetcher };
  const sandboxEnv: SandboxBindings = {
    SANDBOX_DB: (env as unknown as { SANDBOX_DB: D1Database }).SANDBOX_DB,
    SANDBOX_WEBHOOK_SECRET: env.SANDBOX_WEBHOOK_SECRET,
    PAYMENTS: paymentsFetcher,
    LOG_LEVEL: "warn",
  };
  const stripe = stripeClient(paymentsEnv);

  /** A request to payments as the storefront forwards it. */
  function send(method: string, path: string, body?: unknown, user?: User, headers: Record<string, string> = {}) {
    const request = new Request(new URL(path, BASE), {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(user ? { cookie: user.cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return run((ctx) => app.fetch(request, paymentsEnv, ctx));
  }

  /** A request to the sandbox, as a browser or a test would make it. */
  function sandbox(method: string, path: string, form?: Record<string, string>) {
    return sandboxFetcher.fetch(new URL(path, "http://stripe-sandbox.internal"), {
      method,
      headers: {
        authorization: "Bearer sk_test_sandbox",
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
  }

  /** Delivers event bodies to payments' queue handler as one batch; answers acks and retries. */
  async function deliver(...bodies: unknown[]) {
    const messages = bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body }));
    const batch = createMessageBatch("payments-events", messages);
    const ctx = createExecutionContext();
    await worker.queue(batch, paymentsEnv, ctx);
    return getQueueResult(batch, ctx);
  }

  /** The cron run (messaging chores and the refund backstop), waiting for what it left running. */
  async function scheduled() {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), paymentsEnv, ctx);
    await waitOnExecutionContext(ctx);
  }

  /** Pays a session as the shopper would (4242… unless `card`); answers the sandbox's response. */
  const pay = (sessionId: string, card?: string) =>
    sandbox("POST", `/v1/test_helpers/checkout/sessions/${sessionId}/pay`, card ? { card } : undefined);

  /**
   * Stripe API requests the sandbox received about one order, oldest first: those whose
   * idempotency key or path names the order, one of its sessions or payment intents. The
   * sandbox's log is shared by the tests of a file; test helpers are left out.
   */
  async function stripeRequests(orderId: string) {
    const all = await (await sandbox("GET", "/debug/requests?path=/v1/")).json<{ method: string; path: string; idempotencyKey: string | null }[]>();
    const sessions = (await sessionsOf(orderId)).map((s) => s.sessionId).filter((id): id is string => id !== null);
    const intents = (await paymentsOf(orderId)).map((p) => p.stripePaymentIntentId).filter((id): id is string => id !== null);
    const names = [orderId, ...sessions, ...intents];
    return all.filter(
      (r) => !r.path.startsWith("/v1/test_helpers/") && names.some((n) => r.path.includes(n) || r.idempotencyKey?.includes(n)),
    );
  }

  /** Events the sandbox sent to the webhook endpoint, newest first. */
  const sandboxEvents = async () =>
    (await sandbox("GET", "/debug/events")).json<{ id: string; type: string; delivery_status: number; data: { object: { id: string } } }[]>();

  const redeliver = (eventId: string) => sandbox("POST", `/debug/events/${eventId}/deliver`);

  /** Refunds Stripe holds for the order's payment intents. */
  async function refundsOf(orderId: string) {
    const rows = await db.select().from(payments).where(eq(payments.orderId, orderId));
    const refunds = [];
    for (const row of rows) {
      if (row.stripePaymentIntentId) refunds.push(...(await stripe.refunds.list({ payment_intent: row.stripePaymentIntentId })).data);
    }
    return refunds;
  }

  const publishedOf = (type: EventType, orderId: string) =>
    published.sent.filter((e) => e.type === type && "orderId" in e.data && e.data.orderId === orderId);

  return {
    env: paymentsEnv,
    stripe,
    published: published.sent,
    /** Control messages payments sent the orders inbox (the cron's heartbeats). */
    controls: published.controls,
    publishedOf,
    send,
    sandbox,
    deliver,
    scheduled,
    pay,
    stripeRequests,
    sandboxEvents,
    redeliver,
    refundsOf,
    holdWebhooks: () => void (webhooksHeld = true),
    releaseWebhooks: () => void (webhooksHeld = false),
    /** Makes every request to Stripe fail to connect, until called with false. */
    takeStripeDown: (down = true) => void (stripeDown = down),
    /** Runs `hook` as each request reaches Stripe, before Stripe handles it. */
    beforeStripe: (hook: typeof beforeStripe) => void (beforeStripe = hook),
  };
}

export type Harness = ReturnType<typeof harness>;

type OrderStatus = "created" | "awaiting_payment" | "complete" | "cancelled";
type OrderEventType = "order_created" | "order_cancelled" | "order_completed" | "order_updated";
const EVENT_OF: Record<OrderStatus, Exclude<OrderEventType, "order_updated">> = {
  created: "order_created",
  awaiting_payment: "order_created",
  complete: "order_completed",
  cancelled: "order_cancelled",
};

export type OrderSnapshot = {
  id: string;
  userId: string;
  status: OrderStatus;
  expiresAt: string;
  version: number;
  title: string;
  priceCents: number;
  currency: string;
  /** `null` until the buyer gave an address; the total is then price + shipping. */
  shippingCents: number | null;
};

/** An order as orders publishes it (`order_created` at version 0, then one version per change). */
export function orderEvent(order: OrderSnapshot, status: OrderStatus = order.status, version = order.version) {
  return orderEventOf(EVENT_OF[status], order, status, version);
}

/** The order's `order_updated`: its shipping (and so its total) changed to `order.shippingCents`, at `version`. */
export const orderUpdated = (order: OrderSnapshot, version = order.version + 1) => orderEventOf("order_updated", order, order.status, version);

function orderEventOf(type: OrderEventType, order: OrderSnapshot, status: OrderStatus, version: number) {
  return createEvent(
    type,
    "orders",
    {
      id: order.id,
      userId: order.userId,
      sellerId: "00000000-0000-4000-8000-000000005e11",
      status,
      cancelReason: status === "cancelled" ? "expired" : null,
      expiresAt: order.expiresAt,
      vinyl: { id: "7d1e6f0a-2b3c-4d5e-8f90-a1b2c3d4e5f6", title: order.title, priceCents: order.priceCents, currency: order.currency },
      shippingCents: order.shippingCents,
      totalCents: order.shippingCents === null ? null : order.priceCents + order.shippingCents,
      version,
      createdAt: new Date().toISOString(),
    },
    version,
  );
}

/**
 * An order of `buyer`, known to payments' replica (delivered as orders would publish it):
 * with a shipping address (shipping 4.50) unless `shippingCents` is null.
 */
export async function placedOrder(h: Harness, buyer: User, overrides: Partial<OrderSnapshot> = {}): Promise<OrderSnapshot> {
  const order: OrderSnapshot = {
    id: crypto.randomUUID(),
    userId: buyer.id,
    status: "created",
    expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    version: 0,
    title: "Kind of Blue",
    priceCents: 2500,
    currency: "USD",
    shippingCents: 450,
    ...overrides,
  };
  const result = await h.deliver(orderEvent(order));
  expect(result.retryMessages).toEqual([]);
  return order;
}

/** Orders' cancellation (the hold expired) reaching payments. */
export async function cancelOrder(h: Harness, order: OrderSnapshot) {
  const result = await h.deliver(orderEvent(order, "cancelled", order.version + 1));
  expect(result.retryMessages).toEqual([]);
  return result;
}

/** Opens checkout for the order through the API; the answer must be 201. */
export async function openCheckout(h: Harness, buyer: User, orderId: string, extra: Record<string, unknown> = {}) {
  const res = await h.send("POST", "/api/payments/checkout", { orderId, ...extra }, buyer);
  if (res.status !== 201) throw new Error(`checkout failed: ${res.status} ${await res.text()}`);
  return res.json<CheckoutBody>();
}

/** The common start of a payment test: a fresh harness, a buyer, their order, and an open checkout. */
export async function checkoutInProgress() {
  const h = harness();
  const buyer = await newUser();
  const order = await placedOrder(h, buyer);
  const { sessionId } = await openCheckout(h, buyer, order.id);
  return { h, buyer, order, sessionId };
}

export async function paymentsOf(orderId: string) {
  return db.select().from(payments).where(eq(payments.orderId, orderId));
}

export async function sessionsOf(orderId: string) {
  return db.select().from(checkoutSessions).where(eq(checkoutSessions.orderId, orderId)).orderBy(checkoutSessions.attempt);
}

export async function expectError(res: Response, status: number, message?: string) {
  expect(res.status).toBe(status);
  const body = await res.json<ErrorBody>();
  if (message !== undefined) expect(body).toEqual({ errors: [{ message }] });
  else expect(body.errors.length).toBeGreaterThan(0);
  return body;
}
