import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createEvent } from "../../../schema/events";
import { inbox, orders, outbox } from "../../../schema/tables/payments";
import { commit, publisherFor, stage } from "../../shared/src/messaging";
import worker from "../src/index";
import { cancelOrder, db, harness, newUser, orderEvent, placedOrder, type OrderSnapshot } from "./harness";

const replica = async (id: string) => (await db.select().from(orders).where(eq(orders.id, id)))[0];

const snapshot = (userId: string): OrderSnapshot => ({
  id: crypto.randomUUID(),
  userId,
  status: "created",
  expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
  version: 0,
  title: "Kind of Blue",
  priceCents: 2500,
  currency: "USD",
  shippingCents: null,
});

describe("the payments-events inbox", () => {
  vi.spyOn(console, "error").mockImplementation(() => {});

  it("keeps a replica of each order with its title, price, shipping, total and buyer", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer, { title: "Mingus Ah Um", priceCents: 1800, shippingCents: 650 });
    expect(await replica(order.id)).toEqual({
      id: order.id,
      userId: buyer.id,
      status: "created",
      cancelReason: null,
      expiresAt: order.expiresAt,
      title: "Mingus Ah Um",
      priceCents: 1800,
      currency: "USD",
      version: 0,
      shippingCents: 650,
      totalCents: 2450,
    });
  });

  it("ends on the newest version whatever order the events arrive in", async () => {
    const h = harness();
    const order = snapshot((await newUser()).id);
    const result = await h.deliver(orderEvent(order, "complete", 2), orderEvent(order, "created", 0));
    expect(result.retryMessages).toEqual([]);
    expect(await replica(order.id)).toMatchObject({ status: "complete", version: 2 });

    const other = snapshot((await newUser()).id);
    await h.deliver(orderEvent(other, "cancelled", 1));
    await h.deliver(orderEvent(other, "created", 0));
    expect(await replica(other.id)).toMatchObject({ status: "cancelled", cancelReason: "expired", version: 1 });
  });

  it("applies an event delivered twice once", async () => {
    const h = harness();
    const order = snapshot((await newUser()).id);
    const event = orderEvent(order);
    const result = await h.deliver(event, event);
    expect(result.explicitAcks).toHaveLength(2);
    expect(await db.select().from(inbox).where(eq(inbox.eventId, event.id))).toHaveLength(1);
  });

  it("cancels an order payments never opened checkout for without calling Stripe", async () => {
    const h = harness();
    const order = await placedOrder(h, await newUser());
    await cancelOrder(h, order);
    expect(await replica(order.id)).toMatchObject({ status: "cancelled" });
    expect(await h.stripeRequests(order.id)).toEqual([]);
  });

  it("sends a message that breaks the contract to the dead-letter queue", async () => {
    const h = harness();
    const dead: unknown[] = [];
    const broken = { ...orderEvent(snapshot((await newUser()).id)), data: { id: "nope" } };
    const batch = createMessageBatch("payments-events", [{ id: "m1", timestamp: new Date(), attempts: 1, body: broken }]);
    const ctx = createExecutionContext();
    const deadLetters = { send: async (body: unknown) => void dead.push(body) } as unknown as Queue;
    await worker.queue(batch, { ...h.env, DEAD_LETTERS: deadLetters }, ctx);
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["m1"], retryMessages: [] });
    expect(dead).toEqual([broken]);
  });

  it("sends on the cron sweep an event whose relay failed, with its number, and keeps its row marked sent", async () => {
    const h = harness();
    const orderId = snapshot((await newUser()).id).id;
    const event = createEvent("checkout_started", "payments", { orderId, sessionId: "cs_test_x" }, 0);
    // Committed as payments commits every event, while the orders queue refuses the relay.
    const refusing = { sendBatch: () => Promise.reject(new Error("queue unavailable")) } as unknown as Queue;
    const ctx = createExecutionContext();
    await commit(db, [stage(db, event)], publisherFor({ ORDERS_EVENTS: refusing }, ctx));
    await waitOnExecutionContext(ctx);
    const row = async () => (await db.select().from(outbox).where(eq(outbox.eventId, event.id)))[0]!;
    const unsent = await row();
    expect(unsent).toMatchObject({ destination: "orders", seq: expect.any(Number), sentAt: null });

    // The sweep leaves rows a relay may still be sending; this one is a minute old.
    await db.update(outbox).set({ createdAt: unsent.createdAt - 60_000 }).where(eq(outbox.eventId, event.id));
    await h.scheduled();
    expect(h.published).toEqual([{ ...event, seq: unsent.seq }]);
    expect(await row()).toMatchObject({ seq: unsent.seq, sentAt: expect.any(Number) });
    // The cron also tells the orders inbox how far payments has numbered it.
    const [highest] = await db.select({ seq: sql<number>`max(${outbox.seq})` }).from(outbox).where(eq(outbox.destination, "orders"));
    expect(h.controls).toEqual([{ control: "heartbeat", source: "payments", seq: highest!.seq }]);
  });
});
