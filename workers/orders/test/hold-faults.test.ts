import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { DomainEvent } from "../../../schema/events";
import { outbox } from "../../../schema/tables/orders";
import { flakyQueue, gatedQueue } from "../../catalog/test/fuzz-faults";
import { app } from "../src/app";
import worker from "../src/index";
import { BASE, db, deliver, orderRow, paymentCreated, placeOrder, recordingEnv, sale, type OrderJson } from "./client";
import { expirationWorker } from "./fuzz-hold";

/**
 * Faults of the 15-minute hold followed to the order they end. An order placed through the
 * API publishes order_created; the expiration Worker's real consumer arms the real
 * OrderHold with it; the alarm rings (failing, twice, or after the order was paid); what it
 * published is handed to orders' real inbox, and what orders announces goes back to the hold.
 */

let expiration: Awaited<ReturnType<typeof expirationWorker>>;
beforeAll(async () => {
  expiration = await expirationWorker();
});

beforeEach(() => {
  // Alarms ring at their time: the clock moves there (see `ring`), nothing waits.
  vi.useFakeTimers({ toFake: ["Date"] });
  for (const level of ["log", "warn", "error"] as const) vi.spyOn(console, level).mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
});

const about = (orderId: string) => (e: DomainEvent) => (e.data as { id?: string; orderId?: string }).id === orderId || (e.data as { orderId?: string }).orderId === orderId;

/** Places an order through the API and arms its hold with the order_created orders published. */
async function held() {
  const { buyer, vinyl } = await sale();
  const recording = recordingEnv();
  const res = await placeOrder(buyer, vinyl.id, recording.env);
  expect(res.status).toBe(201);
  const order = await res.json<OrderJson>();
  const created = recording.sentTo.expiration.filter(about(order.id));
  expect(created.map((e) => e.type)).toEqual(["order_created"]);
  expect((await expiration.deliver(created)).retryMessages).toEqual([]);
  expect(await expiration.inspect(order.id)).toMatchObject({ hold: { state: "armed" }, alarm: Date.parse(order.expiresAt) });
  return { buyer, vinyl, order };
}

/** Hands orders what the hold published; hands the hold what orders announced. Returns orders' announcements. */
async function settle(order: OrderJson, fromHold: DomainEvent[]) {
  const recording = recordingEnv();
  if (fromHold.length > 0) {
    const { ids, result } = await deliver(fromHold, recording.env);
    expect(result).toMatchObject({ explicitAcks: ids, retryMessages: [] });
  }
  const announced = recording.published(order.id);
  if (announced.length > 0) expect((await expiration.deliver(recording.sentTo.expiration)).retryMessages).toEqual([]);
  return announced.map((e) => `${e.type}:${(e.data as { cancelReason: string | null }).cancelReason ?? "-"}@${e.version}`);
}

describe("a hold whose alarm fails, repeats or comes late", () => {
  it("ends the order once, as expired, when the alarm's first send fails and the runtime runs it again", async () => {
    const { order } = await held();
    const queue = flakyQueue(1);
    expiration.env.ORDERS_EVENTS = queue.queue;
    await expect(expiration.ring(order.id)).rejects.toThrow("queue unavailable");
    // Nothing recorded the ring: still armed, the alarm set again for the retry.
    expect(await expiration.inspect(order.id)).toMatchObject({ hold: { state: "armed" }, alarm: Date.parse(order.expiresAt) });
    expect(await expiration.ring(order.id)).toBe(true);
    expect(queue.sent.map((e) => e.type)).toEqual(["expiration_complete"]);

    expect(await settle(order, queue.sent)).toEqual(["order_cancelled:expired@1"]);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "expired", version: 1 });
    expect(await expiration.inspect(order.id)).toMatchObject({ hold: { state: "finished" }, alarm: null });
  });

  it("ends the order once when the alarm runs twice, one run after the other", async () => {
    const { order } = await held();
    const queue = flakyQueue();
    expiration.env.ORDERS_EVENTS = queue.queue;
    expect(await expiration.ring(order.id)).toBe(true);
    await expiration.runAgain(order.id);
    expect(await expiration.ring(order.id)).toBe(false);
    expect(queue.sent).toHaveLength(1);
    // The queue may deliver the one event twice as well.
    expect(await settle(order, [...queue.sent, ...queue.sent])).toEqual(["order_cancelled:expired@1"]);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "expired", version: 1 });
  });

  it("ends the order once when two runs of the alarm overlap and both publish", async () => {
    const { order } = await held();
    const queue = flakyQueue();
    expiration.env.ORDERS_EVENTS = queue.queue;
    await Promise.all([expiration.ring(order.id), expiration.runAgain(order.id)]);
    expect(queue.sent.length).toBeGreaterThanOrEqual(1);
    expect(new Set(queue.sent.map((e) => e.id)).size).toBe(1);
    // Each copy in its own batch, as separate deliveries would come.
    const announced = [];
    for (const event of queue.sent) announced.push(...(await settle(order, [event])));
    expect(announced).toEqual(["order_cancelled:expired@1"]);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "expired", version: 1 });
  });

  it("leaves a paid order complete when its alarm fires after order_completed disarmed it", async () => {
    const { order } = await held();
    expect(await settle(order, [paymentCreated(order)])).toEqual(["order_completed:-@1"]);
    expect(await expiration.inspect(order.id)).toMatchObject({ hold: { state: "finished" }, alarm: null });
    const queue = flakyQueue();
    expiration.env.ORDERS_EVENTS = queue.queue;
    expect(await expiration.ring(order.id)).toBe(false);
    // A run the runtime had already started when the disarm landed.
    await expiration.runAgain(order.id);
    expect(queue.sent).toEqual([]);
    expect(await orderRow(order.id)).toMatchObject({ status: "complete", cancelReason: null, version: 1 });
  });

  it("leaves the order complete when the alarm rang but the payment reached orders first", async () => {
    const { order } = await held();
    const queue = flakyQueue();
    expiration.env.ORDERS_EVENTS = queue.queue;
    expect(await expiration.ring(order.id)).toBe(true);
    expect(await settle(order, [paymentCreated(order)])).toEqual(["order_completed:-@1"]);
    expect(await settle(order, queue.sent)).toEqual([]);
    expect(await orderRow(order.id)).toMatchObject({ status: "complete", cancelReason: null, version: 1 });
  });
});

describe("a hold armed by an order_created that both the sweep and a late relay sent", () => {
  it("is armed once and ends the order once", async () => {
    const { buyer, vinyl } = await sale();
    const late = gatedQueue();
    const recording = recordingEnv();
    // The relay after commit reads the rows and is caught sending to the expiration inbox.
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(new URL("/api/orders", BASE), {
        method: "POST",
        headers: { "content-type": "application/json", cookie: buyer.cookie },
        body: JSON.stringify({ vinylId: vinyl.id }),
      }),
      { ...recording.env, EXPIRATION_EVENTS: late.queue },
      ctx,
    );
    expect(res.status).toBe(201);
    const order = await res.json<OrderJson>();
    await late.entered;
    // The sweep finds the rows still there, old enough, and sends them too.
    await db.update(outbox).set({ createdAt: sql`${outbox.createdAt} - 11000` }).where(sql`json_extract(${outbox.body}, '$.data.id') = ${order.id}`);
    const swept = recordingEnv();
    const cron = createExecutionContext();
    await worker.scheduled!(createScheduledController({ scheduledTime: Date.now() }), swept.env, cron);
    await waitOnExecutionContext(cron);
    late.release();
    await waitOnExecutionContext(ctx);

    const fromSweep = swept.sentTo.expiration.filter(about(order.id));
    const fromRelay = late.sent.filter(about(order.id));
    expect(fromSweep.map((e) => e.type)).toEqual(["order_created"]);
    expect(fromRelay).toEqual(fromSweep);

    // Both copies reach the expiration inbox, here at the same time.
    await Promise.all([expiration.deliver(fromRelay), expiration.deliver(fromSweep)]);
    const armed = await expiration.inspect(order.id);
    expect(armed).toMatchObject({ hold: { state: "armed", eventId: expect.any(String) }, alarm: Date.parse(order.expiresAt) });
    await expiration.deliver(fromSweep);
    expect(await expiration.inspect(order.id)).toEqual(armed);

    const queue = flakyQueue();
    expiration.env.ORDERS_EVENTS = queue.queue;
    expect(await expiration.ring(order.id)).toBe(true);
    expect(queue.sent.map((e) => e.id)).toEqual([armed.hold!.eventId]);
    expect(await settle(order, queue.sent)).toEqual(["order_cancelled:expired@1"]);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "expired", version: 1 });
  });
});
