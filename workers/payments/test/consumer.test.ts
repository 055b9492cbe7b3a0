import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { inbox, orders, outbox } from "../../../schema/tables/payments";
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
});

describe("the payments-events inbox", () => {
  vi.spyOn(console, "error").mockImplementation(() => {});

  it("keeps a replica of each order with its title, price and buyer", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer, { title: "Mingus Ah Um", priceCents: 1800 });
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

  it("resends on the cron sweep an event whose relay did not happen", async () => {
    const h = harness();
    const event = orderEvent(snapshot((await newUser()).id));
    const stale = { ...event, id: crypto.randomUUID(), type: "checkout_started", source: "payments", data: { orderId: event.data.id, sessionId: "cs_test_x" } };
    await db.insert(outbox).values({ eventId: stale.id, destination: "orders", type: stale.type, body: JSON.stringify(stale), createdAt: Date.now() - 60_000 });
    await h.scheduled();
    expect(h.published).toContainEqual(stale);
    expect(await db.select().from(outbox).where(eq(outbox.eventId, stale.id))).toEqual([]);
  });
});
