import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createEvent, type DomainEvent } from "../../../schema/events";
import { inbox, vinylOrders, vinyls } from "../../../schema/tables/catalog";
import worker from "../src/index";
import { callWith, db, downQueue, expectError, list, newUser, outboxEvents, recordingQueue, send, type Vinyl } from "./client";

type OrderType = "order_created" | "order_cancelled" | "order_completed";
const STATUS = { order_created: "created", order_cancelled: "cancelled", order_completed: "complete" } as const;

/** An order event as the orders service publishes it; `version` is the order's. */
function orderEvent(type: OrderType, orderId: string, vinyl: Vinyl, version: number, status: string = STATUS[type]) {
  return createEvent(
    type,
    "orders",
    {
      id: orderId,
      userId: crypto.randomUUID(),
      sellerId: crypto.randomUUID(),
      status: status as never,
      cancelReason: type === "order_cancelled" ? "buyer" : null,
      expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
      vinyl: { id: vinyl.id, title: vinyl.title, priceCents: Math.round(vinyl.price * 100), currency: vinyl.currency },
      version,
      createdAt: new Date().toISOString(),
    },
    version,
  );
}

/** The same event published again under a new envelope id (a resend, not a redelivery). */
const republished = (event: DomainEvent) => ({ ...event, id: crypto.randomUUID() });

/** Delivers `bodies` as one batch to the Worker's queue handler; answers what it acked and retried. */
async function deliver(bodies: unknown[], bindings: Partial<Env> = { ORDERS_EVENTS: downQueue }) {
  const messages = bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body }));
  const batch = createMessageBatch("catalog-events", messages);
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...bindings }, ctx);
  const result = await getQueueResult(batch, ctx);
  return { ids: messages.map((m) => m.id), result };
}

const allAcked = (ids: string[]) => ({ explicitAcks: expect.arrayContaining(ids), retryMessages: [] });

const row = async (id: string) => (await db.select().from(vinyls).where(eq(vinyls.id, id)))[0]!;

/** Every permutation of `items`. */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/**
 * What must not depend on delivery order: everything but the count of changes (version)
 * and their time. Order ids are named by their role, so two records can be compared.
 */
function settled(record: typeof vinyls.$inferSelect, orders: { o1: string; o2: string }) {
  const { version: _v, updatedAt: _u, seq: _s, id: _id, createdAt: _c, orderId, ...rest } = record;
  const role = orderId === orders.o1 ? "o1" : orderId === orders.o2 ? "o2" : orderId;
  return { ...rest, orderId: role };
}

const newOrders = () => ({ o1: crypto.randomUUID(), o2: crypto.randomUUID() });

/**
 * The versions of the vinyl_updated events ever staged about a record. Only its seller's
 * edits and withdrawals are announced: what an order does to it (reserve, release, sell)
 * moves its version but is never published, since orders decides from its own orders.
 */
const announced = async (vinylId: string) => (await outboxEvents(vinylId)).filter((e) => e.type === "vinyl_updated").map((e) => e.version);

describe("order events", () => {
  vi.spyOn(console, "error").mockImplementation(() => {});

  it("reserves a record for a created order, moving its version, and announces nothing", async () => {
    const vinyl = await list(await newUser());
    const orderId = crypto.randomUUID();
    const orders = recordingQueue();
    const { ids, result } = await deliver([orderEvent("order_created", orderId, vinyl, 0)], { ORDERS_EVENTS: orders.queue });
    expect(result).toMatchObject(allAcked(ids));
    expect(await row(vinyl.id)).toMatchObject({ status: "reserved", orderId, version: 1 });
    expect(orders.sent).toEqual([]);
    expect(await announced(vinyl.id)).toEqual([]);
  });

  it("releases the record when the order is cancelled, and sells it when one completes", async () => {
    const vinyl = await list(await newUser());
    const [o1, o2] = [crypto.randomUUID(), crypto.randomUUID()];
    await deliver([orderEvent("order_created", o1, vinyl, 0)]);
    await deliver([orderEvent("order_cancelled", o1, vinyl, 1)]);
    expect(await row(vinyl.id)).toMatchObject({ status: "available", orderId: null, version: 2 });
    await deliver([orderEvent("order_created", o2, vinyl, 0)]);
    await deliver([orderEvent("order_completed", o2, vinyl, 2)]);
    expect(await row(vinyl.id)).toMatchObject({ status: "sold", orderId: o2, version: 4 });
    expect(await announced(vinyl.id)).toEqual([]);
  });

  it("keeps the seller from editing or withdrawing while reserved, and lets them once released", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    const orderId = crypto.randomUUID();
    await deliver([orderEvent("order_created", orderId, vinyl, 0)]);
    await expectError(await send("PUT", `/api/vinyls/${vinyl.id}`, { price: 1 }, seller), 409);
    await expectError(await send("DELETE", `/api/vinyls/${vinyl.id}`, undefined, seller), 409);
    await deliver([orderEvent("order_cancelled", orderId, vinyl, 1)]);
    const edited = await send("PUT", `/api/vinyls/${vinyl.id}`, { price: 1 }, seller);
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({ status: "available", version: 3 });
  });

  it("keeps a seller's edits when an order reserves the record afterwards", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    await callWith({ ORDERS_EVENTS: downQueue }, "PUT", `/api/vinyls/${vinyl.id}`, { title: "Edited first" }, seller);
    await deliver([orderEvent("order_created", crypto.randomUUID(), vinyl, 0)]);
    expect(await row(vinyl.id)).toMatchObject({ title: "Edited first", status: "reserved", version: 2 });
    // The seller's edit is announced; the reservation after it is not.
    expect(await announced(vinyl.id)).toEqual([1]);
  });

  it("leaves a withdrawn record withdrawn, bumps nothing and publishes nothing", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    await send("DELETE", `/api/vinyls/${vinyl.id}`, undefined, seller);
    const orderId = crypto.randomUUID();
    const created = orderEvent("order_created", orderId, vinyl, 0);
    const { ids, result } = await deliver([created, orderEvent("order_completed", orderId, vinyl, 2)]);
    expect(result).toMatchObject(allAcked(ids));
    expect(await row(vinyl.id)).toMatchObject({ status: "withdrawn", orderId: null, version: 1 });
    // Only the seller's withdrawal was announced.
    expect(await announced(vinyl.id)).toEqual([1]);
    // What catalog learnt of the order is kept all the same.
    expect(await db.select().from(vinylOrders).where(eq(vinylOrders.orderId, orderId))).toEqual([
      { orderId, vinylId: vinyl.id, status: "complete", version: 2 },
    ]);
  });

  it("acknowledges an event for an unknown record as a no-op", async () => {
    const ghost = { id: crypto.randomUUID(), title: "Ghost", price: 1, currency: "USD" } as Vinyl;
    const event = orderEvent("order_created", crypto.randomUUID(), ghost, 0);
    const { ids, result } = await deliver([event]);
    expect(result).toMatchObject(allAcked(ids));
    expect(await db.select().from(vinyls).where(eq(vinyls.id, ghost.id))).toEqual([]);
    expect(await db.select().from(vinylOrders).where(eq(vinylOrders.vinylId, ghost.id))).toEqual([]);
    expect(await db.select().from(inbox).where(eq(inbox.eventId, event.id))).toHaveLength(1);
  });

  it("sends a message that breaks the contract to the dead-letter queue", async () => {
    const dead = recordingQueue();
    const vinyl = await list(await newUser());
    const broken = { ...orderEvent("order_created", crypto.randomUUID(), vinyl, 0), data: { id: "nope" } };
    const { ids, result } = await deliver([broken], { ORDERS_EVENTS: downQueue, DEAD_LETTERS: dead.queue });
    expect(result).toMatchObject(allAcked(ids));
    expect(dead.sent).toEqual([broken]);
    expect((await row(vinyl.id)).status).toBe("available");
  });

  it("applies an event delivered twice only once", async () => {
    const vinyl = await list(await newUser());
    const event = orderEvent("order_created", crypto.randomUUID(), vinyl, 0);
    const { ids, result } = await deliver([event, event]);
    expect(result).toMatchObject(allAcked(ids));
    await deliver([event]);
    expect(await row(vinyl.id)).toMatchObject({ status: "reserved", version: 1 });
  });

  it("ignores an older version of an order arriving after a newer one", async () => {
    const vinyl = await list(await newUser());
    const orderId = crypto.randomUUID();
    await deliver([orderEvent("order_cancelled", orderId, vinyl, 1)]);
    await deliver([orderEvent("order_created", orderId, vinyl, 0)]);
    expect(await row(vinyl.id)).toMatchObject({ status: "available", orderId: null, version: 0 });
    expect(await db.select().from(vinylOrders).where(eq(vinylOrders.orderId, orderId))).toMatchObject([
      { status: "cancelled", version: 1 },
    ]);
  });

  it("treats an order awaiting payment as still holding the record", async () => {
    const vinyl = await list(await newUser());
    const orderId = crypto.randomUUID();
    await deliver([orderEvent("order_created", orderId, vinyl, 1, "awaiting_payment")]);
    expect(await row(vinyl.id)).toMatchObject({ status: "reserved", orderId });
  });
});

describe("order events in any order", () => {
  vi.spyOn(console, "error").mockImplementation(() => {});

  // Buyer 1 reserves and cancels; buyer 2 reserves and pays.
  const history = (vinyl: Vinyl, { o1, o2 }: { o1: string; o2: string }) => [
    orderEvent("order_created", o1, vinyl, 0),
    orderEvent("order_cancelled", o1, vinyl, 1),
    orderEvent("order_created", o2, vinyl, 0),
    orderEvent("order_completed", o2, vinyl, 2),
  ];

  /** The state in-order delivery reaches, one event per batch, for a record of its own. */
  async function inOrder(seller: Awaited<ReturnType<typeof newUser>>) {
    const vinyl = await list(seller, { title: "Reference" });
    const orders = newOrders();
    for (const event of history(vinyl, orders)) await deliver([event]);
    return settled(await row(vinyl.id), orders);
  }

  /** The record ends sold, a change from available, and each of the four events changed it at most once. */
  const expectChangesCounted = (version: number) => {
    expect(version).toBeGreaterThanOrEqual(1);
    expect(version).toBeLessThanOrEqual(4);
  };

  const deliveryOrders = permutations([0, 1, 2, 3]);
  it("covers all 24 orders of the four events", () => {
    expect(deliveryOrders).toHaveLength(24);
    expect(new Set(deliveryOrders.map((p) => p.join())).size).toBe(24);
  });

  it.each(deliveryOrders.map((p) => [p.join(" "), p]))(
    "settles as in-order delivery for the order %s, one event a batch, then every event again",
    async (_, permutation) => {
      const seller = await newUser();
      const reference = await inOrder(seller);
      expect(reference).toMatchObject({ status: "sold", orderId: "o2" });

      const vinyl = await list(seller, { title: "Reference" });
      const orders = newOrders();
      const events = history(vinyl, orders);
      for (const i of permutation as number[]) {
        const { ids, result } = await deliver([events[i]!]);
        expect(result).toMatchObject(allAcked(ids));
      }
      const { version } = await row(vinyl.id);
      expectChangesCounted(version);
      // Redeliveries of the same events, and the same changes published again under new ids.
      const again = await deliver([...[...events].reverse(), ...events.map(republished)]);
      expect(again.result).toMatchObject(allAcked(again.ids));

      expect(settled(await row(vinyl.id), orders)).toEqual(reference);
      // They change nothing, not even the version.
      expect((await row(vinyl.id)).version).toBe(version);
      expect(await announced(vinyl.id)).toEqual([]);
    },
  );

  it.each(deliveryOrders.map((p) => [p.join(" "), p]))(
    "settles as in-order delivery for the order %s, all in one batch with duplicates between",
    async (_, permutation) => {
      const seller = await newUser();
      const reference = await inOrder(seller);
      const vinyl = await list(seller, { title: "Reference" });
      const orders = newOrders();
      const events = history(vinyl, orders);
      const shuffled = (permutation as number[]).map((i) => events[i]!);
      const bodies = shuffled.flatMap((event, i) => (i % 2 === 0 ? [event, event] : [event, republished(shuffled[0]!)]));
      const { ids, result } = await deliver(bodies);
      expect(result).toMatchObject(allAcked(ids));
      expect(settled(await row(vinyl.id), orders)).toEqual(reference);
      expectChangesCounted((await row(vinyl.id)).version);
      expect(await announced(vinyl.id)).toEqual([]);
    },
  );

  it.each(permutations([0, 1]).map((p) => [p.join(" "), p]))(
    "releases the record for a cancelled order whatever the order %s",
    async (_, permutation) => {
      const vinyl = await list(await newUser());
      const orderId = crypto.randomUUID();
      const events = [orderEvent("order_created", orderId, vinyl, 0), orderEvent("order_cancelled", orderId, vinyl, 1)];
      for (const i of permutation as number[]) await deliver([events[i]!]);
      // In order it was reserved and released (two changes); cancelled first, it never moved.
      expect(await row(vinyl.id)).toMatchObject({ status: "available", orderId: null, version: (permutation as number[])[0] === 0 ? 2 : 0 });
      expect(await announced(vinyl.id)).toEqual([]);
    },
  );

  it("settles the same when two consumers race through the same events", async () => {
    const seller = await newUser();
    const reference = await inOrder(seller);
    const vinyl = await list(seller, { title: "Reference" });
    const orders = newOrders();
    const events = history(vinyl, orders);
    const results = await Promise.all([deliver(events), deliver([...events].reverse()), deliver([events[3]!, events[1]!])]);
    for (const { ids, result } of results) expect(result).toMatchObject(allAcked(ids));
    expect(settled(await row(vinyl.id), orders)).toEqual(reference);
    expectChangesCounted((await row(vinyl.id)).version);
    expect(await announced(vinyl.id)).toEqual([]);
  });
});
