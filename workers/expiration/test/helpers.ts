import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { createEvent, eventEnvelope, type CANCEL_REASONS } from "../../../schema/events";
import worker from "../src/index";
import type { OrderHold } from "../src/order-hold";

export type Order = { id: string; expiresAt: string; version: number };

/**
 * A new order whose hold ends far in the future. Alarms outlive a test (they are not reset
 * between tests), so a hold that must not ring on its own is never set to ring soon.
 */
export function newOrder(): Order {
  const expiresAt = new Date(Date.UTC(2099, 0, 1) + Math.floor(Math.random() * 86_400_000)).toISOString();
  return { id: crypto.randomUUID(), expiresAt, version: 0 };
}

type OrderEventType = "order_created" | "order_cancelled" | "order_completed";

/** The order event orders would publish, at `version` (0 for created, then 1, 2 …). */
export function orderEvent(type: OrderEventType, order: Order, version = type === "order_created" ? 0 : 1) {
  const status = type === "order_created" ? "created" : type === "order_completed" ? "complete" : "cancelled";
  const cancelReason: (typeof CANCEL_REASONS)[number] | null = type === "order_cancelled" ? "buyer" : null;
  return createEvent(
    type,
    "orders",
    {
      id: order.id, userId: "00000000-0000-4000-8000-000000000002", sellerId: "00000000-0000-4000-8000-000000005e11", status, cancelReason, expiresAt: order.expiresAt,
      vinyl: { id: "00000000-0000-4000-8000-000000000003", title: "Kind of Blue", priceCents: 2500, currency: "USD" },
      version, createdAt: "2026-01-01T00:00:00.000Z",
    },
    version,
  );
}

export const holdOf = (orderId: string) => env.ORDER_HOLD.get(env.ORDER_HOLD.idFromName(orderId));

/** The hold's stored state and its alarm, read inside the object. */
export const inspect = (orderId: string) => holdOf(orderId).inspect();

/**
 * Points the hold's ORDERS_EVENTS at a recorder and returns what the hold sends from then
 * on. The first `failures` sends throw, as a queue that is briefly unavailable would.
 */
export async function recordPublishes(orderId: string, failures = 0) {
  const sent: unknown[] = [];
  let failing = failures;
  const queue = {
    async send(body: unknown) {
      if (failing > 0) {
        failing--;
        throw new Error("queue unavailable");
      }
      sent.push(body);
    },
  } as unknown as Queue;
  await runInDurableObject(holdOf(orderId), (hold: OrderHold) => {
    // `env` is protected on the class; the test swaps this one instance's binding.
    (hold as unknown as { env: Env }).env = { ...env, ORDERS_EVENTS: queue };
  });
  /** What was sent, each envelope checked against the contract. */
  return { sent, published: () => sent.map((body) => eventEnvelope.parse(body)) };
}

/** Runs the hold's `alarm()` as the runtime would run it again, whether or not an alarm is still set. */
export const runAlarmAgain = (orderId: string) => runInDurableObject(holdOf(orderId), (hold: OrderHold) => hold.alarm());

/** Delivers `bodies` as one batch to the Worker's queue handler and returns what it acked and retried. */
export async function deliver(bodies: unknown[], testEnv: Env = env, attempts = 1) {
  const messages = bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts, body }));
  const batch = createMessageBatch("expiration-events", messages);
  const retries: { msgId: string; delaySeconds?: number }[] = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    vi.spyOn(message, "retry").mockImplementation((options) => {
      retries.push({ msgId: message.id, delaySeconds: options?.delaySeconds });
      retry(options);
    });
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, testEnv, ctx);
  return { ids: messages.map((m) => m.id), result: await getQueueResult(batch, ctx), retries };
}

/** Every ordering of `items`. */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}
