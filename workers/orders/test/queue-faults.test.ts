import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createEvent, type DomainEvent } from "../../../schema/events";
import { inbox, vinyls } from "../../../schema/tables/orders";
import { retryDelay } from "../../shared/src/messaging";
import { flakyD1, flakyQueue } from "../../catalog/test/fuzz-faults";
import worker from "../src/index";
import {
  age,
  checkoutStarted,
  db,
  deliver,
  expirationComplete,
  orderOf,
  orderRow,
  outboxAbout,
  paymentCreated,
  placeOrder,
  recordingEnv,
  sale,
  unsentAbout,
  vinylCreated,
  vinylOf,
  newUser,
  type OrderJson,
  type OrderRef,
} from "./client";

/** The consumer logs every retry and dead letter; the assertions say what matters. */
const quiet = () => {
  for (const level of ["log", "warn", "error"] as const) vi.spyOn(console, level).mockImplementation(() => {});
};

const fresh = async () => {
  const { buyer, vinyl } = await sale();
  return { buyer, vinyl, order: await orderOf(buyer, vinyl.id) };
};

/** Runs the minute cron (the messaging chores and the overdue backstop) and waits for it. */
async function cron(testEnv: Env) {
  const ctx = createExecutionContext();
  await worker.scheduled!(createScheduledController({ cron: "* * * * *", scheduledTime: Date.now() }), testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

const about = (orderId: string) => (e: DomainEvent) => (e.data as { id?: string }).id === orderId;

/** The Worker's bindings with every producer refusing: relays after commit fail. */
const queuesDown = (): Env => {
  const down = () => flakyQueue(Number.MAX_SAFE_INTEGER).queue;
  return { ...env, CATALOG_EVENTS: down(), PAYMENTS_EVENTS: down(), EXPIRATION_EVENTS: down(), NOTIFICATIONS_EVENTS: down() };
};

describe("the orders inbox when D1 fails", () => {
  quiet();

  it.each([1, 3, 5])(
    "retries a payment whose commit fails on its first %i deliveries, with backoff, and completes the order once",
    async (failures) => {
      const { order } = await fresh();
      const paid = paymentCreated(order);
      const d1 = flakyD1(env.ORDERS_DB, { before: failures });
      const recording = recordingEnv();
      const flaky = { ...recording.env, ORDERS_DB: d1.binding };
      for (let attempt = 1; attempt <= failures; attempt++) {
        const { ids, result, retries } = await deliver([paid], flaky, attempt);
        expect(result.explicitAcks).toEqual([]);
        expect(retries).toEqual([{ msgId: ids[0], delaySeconds: retryDelay(attempt) }]);
        expect(await orderRow(order.id)).toMatchObject({ status: "created", version: 0 });
      }
      const { ids, result } = await deliver([paid], flaky, failures + 1);
      expect(result).toMatchObject({ explicitAcks: ids, retryMessages: [] });
      await deliver([paid], flaky, failures + 2);
      expect(d1.failed.before).toBe(failures);
      expect(await orderRow(order.id)).toMatchObject({ status: "complete", version: 1 });
      expect(recording.published(order.id).map((e) => [e.type, e.version])).toEqual([["order_completed", 1]]);
    },
  );

  it("acknowledges an expiry whose commit succeeded but whose reply was lost: cancelled once, announced once by the sweep", async () => {
    const { order } = await fresh();
    const expired = expirationComplete(order);
    const d1 = flakyD1(env.ORDERS_DB, { after: 1 });
    const recording = recordingEnv();
    const { ids, result } = await deliver([expired], { ...recording.env, ORDERS_DB: d1.binding });
    expect(d1.failed.after).toBe(1);
    expect(result).toMatchObject({ explicitAcks: ids, retryMessages: [] });
    await deliver([expired], recording.env, 2);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "expired", version: 1 });
    expect(await db.select().from(inbox).where(eq(inbox.eventId, expired.id))).toHaveLength(1);
    // The commit's answer never came back, so no relay ran: its rows wait for the sweep.
    expect(recording.published(order.id)).toEqual([]);
    expect((await unsentAbout(order.id)).map((r) => r.type)).toEqual(["order_cancelled", "order_cancelled", "order_cancelled", "order_cancelled"]);
    await age(order.id);
    await cron(recording.env);
    await cron(recording.env);
    expect(recording.published(order.id).map((e) => [e.type, e.version])).toEqual([["order_cancelled", 1]]);
    expect(await unsentAbout(order.id)).toEqual([]);
  });

  it("keeps the rest of a batch moving while one message's commit fails", async () => {
    const orders = [(await fresh()).order, (await fresh()).order, (await fresh()).order];
    const events = orders.map(checkoutStarted);
    // The first batch() is the whole delivery's; the second, after it failed, the first message's alone.
    const d1 = flakyD1(env.ORDERS_DB, { before: 2 });
    const { ids, result, retries } = await deliver(events, { ...env, ORDERS_DB: d1.binding });
    expect(retries).toEqual([{ msgId: ids[0], delaySeconds: retryDelay(1) }]);
    expect(result.explicitAcks).toEqual(ids.slice(1));
    expect((await orderRow(orders[0]!.id))!.status).toBe("created");
    expect((await orderRow(orders[1]!.id))!.status).toBe("awaiting_payment");
    expect((await orderRow(orders[2]!.id))!.status).toBe("awaiting_payment");
    await deliver([events[0]], env, 2);
    expect(await orderRow(orders[0]!.id)).toMatchObject({ status: "awaiting_payment", version: 1 });
  });
});

describe("a message the orders inbox can never apply", () => {
  quiet();

  const ghost: OrderRef = {
    id: crypto.randomUUID(),
    userId: crypto.randomUUID(),
    status: "created",
    cancelReason: null,
    expiresAt: "2026-01-01T00:15:00.000Z",
    vinyl: { id: crypto.randomUUID(), title: "Ghost", price: 1, currency: "USD" },
    version: 0,
    createdAt: "2026-01-01T00:00:00.000Z",
  };
  const poison = () => [
    { id: "not-a-uuid", type: "payment_created", data: {} },
    42,
    // Orders can only hear of orders it created itself.
    paymentCreated({ ...ghost, id: crypto.randomUUID() }),
    expirationComplete({ ...ghost, id: crypto.randomUUID() }),
    // Orders does not subscribe to its own events.
    createEvent("order_created", "orders", { ...ghost, sellerId: crypto.randomUUID(), vinyl: { ...ghost.vinyl, priceCents: 100 } }, 0),
  ];

  it("goes to the dead-letter queue at once while every other message of its batch is applied", async () => {
    const { order } = await fresh();
    const listing = vinylOf(await newUser());
    const bad = poison();
    const recording = recordingEnv();
    const bodies = [bad[0], checkoutStarted(order), bad[1], bad[2], vinylCreated(listing), bad[3], bad[4]];
    const { ids, result, retries } = await deliver(bodies, recording.env);
    expect(retries).toEqual([]);
    expect([...result.explicitAcks].sort()).toEqual([...ids].sort());
    expect(recording.deadLetters).toEqual(bad);
    expect((await orderRow(order.id))!.status).toBe("awaiting_payment");
    expect(await db.select().from(vinyls).where(eq(vinyls.id, listing.id))).toHaveLength(1);
    // The well-formed ones are recorded all the same, so their numbers are never asked for again.
    const wellFormed = [bad[2], bad[3], bad[4]].map((e) => (e as DomainEvent).id);
    expect((await db.select({ eventId: inbox.eventId }).from(inbox).where(inArray(inbox.eventId, wellFormed))).map((r) => r.eventId).sort()).toEqual(
      [...wellFormed].sort(),
    );
  });

  it("is retried, never lost, when the dead-letter queue itself refuses it, and the rest still apply", async () => {
    const { order } = await fresh();
    const [bad] = poison();
    const dead = flakyQueue(1);
    const first = await deliver([bad, checkoutStarted(order)], { ...env, DEAD_LETTERS: dead.queue });
    expect(first.retries).toEqual([{ msgId: first.ids[0], delaySeconds: retryDelay(1) }]);
    expect(first.result.explicitAcks).toEqual([first.ids[1]]);
    expect((await orderRow(order.id))!.status).toBe("awaiting_payment");
    const second = await deliver([bad], { ...env, DEAD_LETTERS: dead.queue }, 2);
    expect(second.result.explicitAcks).toEqual(second.ids);
    expect(dead.sent).toEqual([bad]);
  });
});

describe("orders' outbox when the relay fails after the commit", () => {
  quiet();

  it("keeps a new order's order_created unsent for every subscriber until the sweep sends it, once", async () => {
    const { buyer, vinyl } = await sale();
    const res = await placeOrder(buyer, vinyl.id, queuesDown());
    expect(res.status).toBe(201);
    const order = await res.json<OrderJson>();
    const rows = await unsentAbout(order.id);
    expect(rows.map((r) => r.destination)).toEqual(["catalog", "expiration", "notifications", "payments"]);

    const recording = recordingEnv();
    // Too young: a relay may still be sending it.
    await cron(recording.env);
    expect(recording.published(order.id)).toEqual([]);
    await age(order.id);
    await cron(recording.env);
    await cron(recording.env);
    const sent = recording.published(order.id);
    expect(sent.map((e) => [e.type, e.version])).toEqual([["order_created", 0]]);
    expect(sent[0]!.data).toMatchObject({ id: order.id, status: "created", expiresAt: order.expiresAt, vinyl: { id: vinyl.id } });
    // Each inbox gets the event with the number its own row was given.
    for (const row of rows) {
      const inbox = row.destination as keyof typeof recording.sentTo;
      expect(recording.sentTo[inbox].filter(about(order.id))).toEqual([{ ...JSON.parse(row.body), seq: row.seq }]);
    }
    // Kept, marked sent, for an inbox that may still ask for it.
    expect(await unsentAbout(order.id)).toEqual([]);
    expect(await outboxAbout(order.id)).toHaveLength(4);
  });

  it("sends, through the sweep, the order_cancelled of an expiry whose relay failed inside the consumer", async () => {
    const { order } = await fresh();
    const { result, ids } = await deliver([expirationComplete(order)], queuesDown());
    expect(result.explicitAcks).toEqual(ids);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "expired", version: 1 });
    await age(order.id);
    const recording = recordingEnv();
    await cron(recording.env);
    expect(recording.published(order.id).map((e) => [e.type, e.version, (e.data as { cancelReason: string }).cancelReason])).toEqual([
      ["order_cancelled", 1, "expired"],
    ]);
    expect(recording.sentTo.catalog.filter(about(order.id))).toHaveLength(1);
    expect(await unsentAbout(order.id)).toEqual([]);
  });
});
