import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrderHold } from "../src/order-hold";
import { deliver, holdOf, inspect, newOrder, orderEvent, recordPublishes, runAlarmAgain } from "./helpers";

/** A hold armed through the real path: order_created delivered to the inbox. */
async function armed(order = newOrder()) {
  const { result } = await deliver([orderEvent("order_created", order)]);
  expect(result.retryMessages).toEqual([]);
  return order;
}

describe("an armed hold when its alarm rings", () => {
  it("publishes expiration_complete for the order to orders, with the order version it knows", async () => {
    const order = await armed({ ...newOrder(), version: 0 });
    const publishes = await recordPublishes(order.id);
    expect(await runDurableObjectAlarm(holdOf(order.id))).toBe(true);
    const [event, ...more] = publishes.published();
    expect(more).toEqual([]);
    expect(event).toMatchObject({ type: "expiration_complete", source: "expiration", version: 0, data: { orderId: order.id } });
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "rang" }, alarm: null });
  });

  it("publishes nothing more when the alarm runs a second time", async () => {
    const order = await armed();
    const publishes = await recordPublishes(order.id);
    await runDurableObjectAlarm(holdOf(order.id));
    // At-least-once: the runtime may run a handler that already succeeded once more.
    await runAlarmAgain(order.id);
    expect(await runDurableObjectAlarm(holdOf(order.id))).toBe(false);
    expect(publishes.published()).toHaveLength(1);
  });

  it("throws when the send fails, so the runtime retries, and publishes once the queue is back", async () => {
    const order = await armed();
    const publishes = await recordPublishes(order.id, 1);
    await expect(runAlarmAgain(order.id)).rejects.toThrow("queue unavailable");
    // Still armed, alarm still set: nothing recorded the hold as ended.
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "armed" }, alarm: Date.parse(order.expiresAt) });
    expect(await runDurableObjectAlarm(holdOf(order.id))).toBe(true);
    expect(publishes.published()).toHaveLength(1);
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "rang" } });
  });

  it("publishes one event id however many runs overlap, so orders' inbox applies it once", async () => {
    const order = await armed();
    const publishes = await recordPublishes(order.id);
    // Two runs that both read the hold before either recorded the ring.
    await runInDurableObject(holdOf(order.id), (hold: OrderHold) => Promise.all([hold.alarm(), hold.alarm()]));
    const ids = publishes.published().map((e) => e.id);
    expect(ids.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ids)).toEqual(new Set([(await inspect(order.id)).hold!.eventId]));
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "rang" } });
  });

  it("is not armed again by a late duplicate order_created once it rang", async () => {
    const order = await armed();
    const publishes = await recordPublishes(order.id);
    await runDurableObjectAlarm(holdOf(order.id));
    await deliver([orderEvent("order_created", order)]);
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "rang" }, alarm: null });
    expect(await runDurableObjectAlarm(holdOf(order.id))).toBe(false);
    expect(publishes.published()).toHaveLength(1);
  });
});

describe("arming", () => {
  it("sets the alarm at expiresAt and remembers the order", async () => {
    const order = await armed();
    expect(await inspect(order.id)).toEqual({
      hold: { orderId: order.id, state: "armed", version: 0, expiresAt: Date.parse(order.expiresAt), eventId: expect.any(String) },
      alarm: Date.parse(order.expiresAt),
    });
  });

  it("is idempotent: a duplicate order_created keeps one alarm and one event id", async () => {
    const order = await armed();
    const before = await inspect(order.id);
    await deliver([orderEvent("order_created", order), orderEvent("order_created", order)]);
    expect(await inspect(order.id)).toEqual(before);
  });
});

describe("disarming", () => {
  it.each(["order_cancelled", "order_completed"] as const)("%s before the alarm deletes it: nothing is ever published", async (type) => {
    const order = await armed();
    const publishes = await recordPublishes(order.id);
    await deliver([orderEvent(type, order)]);
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "finished", version: 1 }, alarm: null });
    expect(await runDurableObjectAlarm(holdOf(order.id))).toBe(false);
    // Even a run already under way when the order ended publishes nothing.
    await runAlarmAgain(order.id);
    expect(publishes.sent).toEqual([]);
  });

  it("keeps a late order_created from arming a hold whose order already ended", async () => {
    const order = newOrder();
    await deliver([orderEvent("order_cancelled", order)]);
    await deliver([orderEvent("order_created", order)]);
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "finished" }, alarm: null });
    expect(await runDurableObjectAlarm(holdOf(order.id))).toBe(false);
  });

  it("after the alarm rang leaves it ended", async () => {
    const order = await armed();
    const publishes = await recordPublishes(order.id);
    await runDurableObjectAlarm(holdOf(order.id));
    await deliver([orderEvent("order_cancelled", order)]);
    await deliver([orderEvent("order_created", order)]);
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "finished" }, alarm: null });
    expect(publishes.published()).toHaveLength(1);
  });
});
