import { createExecutionContext, createMessageBatch, env, getQueueResult, type QueueResult } from "cloudflare:test";
import { eq, inArray } from "drizzle-orm";
import { vi } from "vitest";
import { createEvent, type ControlMessage, type DomainEvent } from "../../../schema/events";
import { vinyls } from "../../../schema/tables/catalog";
import worker from "../src/index";
import { db } from "./client";

/** Helpers for the delivery fuzz and the fault tests: the inbox driven as the queue runtime drives it. */

export type OrderType = "order_created" | "order_cancelled" | "order_completed";
export type VinylRow = typeof vinyls.$inferSelect;

const STATUS = { order_created: "created", order_cancelled: "cancelled", order_completed: "complete" } as const;

/** An order event as the orders service publishes it for `vinylId`; `version` is the order's. */
export function orderEvent(type: OrderType, orderId: string, vinylId: string, version: number) {
  return createEvent(
    type,
    "orders",
    {
      id: orderId,
      userId: "00000000-0000-4000-8000-00000000b0b0",
      sellerId: "00000000-0000-4000-8000-000000005e11",
      status: STATUS[type],
      cancelReason: type === "order_cancelled" ? "expired" : null,
      expiresAt: "2026-01-01T00:15:00.000Z",
      vinyl: { id: vinylId, title: "Kind of Blue", priceCents: 2500, currency: "USD" },
      version,
      createdAt: "2026-01-01T00:00:00.000Z",
    },
    version,
  );
}

/** The same change published again under a new envelope id (a resend, not a redelivery). */
export const republished = <E extends DomainEvent>(event: E): E => ({ ...event, id: crypto.randomUUID() });

export type Delivery = {
  ids: string[];
  result: QueueResult;
  /** Each `retry()` call with the delay it asked for (getQueueResult drops the delay). */
  retries: { msgId: string; delaySeconds?: number }[];
};

/**
 * Delivers `bodies` as one batch to the Worker's real queue handler, the way the runtime
 * would (`attempts` as the runtime counts them), and waits for its background relays.
 */
export async function deliver(bodies: unknown[], bindings: Partial<Env> = {}, attempts = 1): Promise<Delivery> {
  const messages = bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts, body }));
  const batch = createMessageBatch("catalog-events", messages);
  const retries: Delivery["retries"] = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    vi.spyOn(message, "retry").mockImplementation((options) => {
      retries.push({ msgId: message.id, delaySeconds: options?.delaySeconds });
      retry(options);
    });
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...bindings }, ctx);
  return { ids: messages.map((m) => m.id), result: await getQueueResult(batch, ctx), retries };
}

/**
 * A producer that records what it was sent: event envelopes in send order in `sent`, and
 * control messages (the cron's heartbeats) apart in `controls`.
 */
export function recorder() {
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

const STAMP = "2026-01-01T00:00:00.000Z";

/**
 * Stores `count` listings as catalog stores a new one (version 0, available, unless
 * `status` says withdrawn, which a seller's withdrawal leaves at version 1), straight in
 * the database: the fuzz needs thousands, and listing through the API is tested elsewhere.
 */
export async function storeListings(count: number, status: "available" | "withdrawn" = "available"): Promise<string[]> {
  const rows = Array.from({ length: count }, () => ({
    id: crypto.randomUUID(),
    userId: "00000000-0000-4000-8000-0000000005e1",
    title: "Kind of Blue",
    artist: "Miles Davis",
    genre: "Jazz" as const,
    priceCents: 2500,
    currency: "USD",
    description: "Original pressing",
    imageUrl: null,
    mediaCondition: "VG+" as const,
    sleeveCondition: "VG" as const,
    format: "LP",
    year: 1959,
    label: "Columbia",
    shipsFrom: "US",
    shippingDomesticCents: 500,
    shippingInternationalCents: 1500,
    status,
    orderId: null,
    version: status === "withdrawn" ? 1 : 0,
    createdAt: STAMP,
    updatedAt: STAMP,
  }));
  // D1 binds at most 100 parameters per statement: four rows of twenty-two columns each.
  const inserts = [];
  for (let i = 0; i < rows.length; i += 4) inserts.push(db.insert(vinyls).values(rows.slice(i, i + 4)));
  for (let i = 0; i < inserts.length; i += 50) {
    const part = inserts.slice(i, i + 50);
    await db.batch(part as [(typeof part)[number], ...typeof part]);
  }
  return rows.map((r) => r.id);
}

export const listing = async (id: string) => (await db.select().from(vinyls).where(eq(vinyls.id, id)))[0]!;

/** Rows by id, read 90 at a time (D1's parameter limit). */
export async function listings(ids: readonly string[]): Promise<Map<string, VinylRow>> {
  const out = new Map<string, VinylRow>();
  for (let i = 0; i < ids.length; i += 90) {
    for (const row of await db.select().from(vinyls).where(inArray(vinyls.id, ids.slice(i, i + 90)))) out.set(row.id, row);
  }
  return out;
}
