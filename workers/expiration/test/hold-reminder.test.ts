import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventEnvelope } from "../../../schema/events";
import type { Hold, OrderHold } from "../src/order-hold";
import { deliver, holdOf, inspect, newOrder, orderEvent, runAlarmAgain, type Order } from "./helpers";

/**
 * The reminder a few minutes before a hold ends (`hold_ending`, to notifications). The
 * project runs with reminders off (vitest.config.ts), so these tests deliver with the
 * deployed lead of 180 seconds.
 */

const LEAD_SECONDS = 180;
const reminding = { ...env, HOLD_REMINDER_SECONDS: String(LEAD_SECONDS) } as Env;
const BUYER = "00000000-0000-4000-8000-000000000002";

const reminderOf = (orderId: string) => runInDurableObject(holdOf(orderId), (hold: OrderHold) => hold.inspectReminder());

/** Points the hold's queues at recorders; the first `failures` sends to notifications throw. */
async function recordQueues(orderId: string, failures = 0) {
  const sent = { orders: [] as unknown[], notifications: [] as unknown[] };
  let failing = failures;
  const recorder = (into: unknown[], fails: boolean) =>
    ({
      async send(body: unknown) {
        if (fails && failing > 0) {
          failing--;
          throw new Error("queue unavailable");
        }
        into.push(body);
      },
    }) as unknown as Queue;
  await runInDurableObject(holdOf(orderId), (hold: OrderHold) => {
    (hold as unknown as { env: Env }).env = { ...env, ORDERS_EVENTS: recorder(sent.orders, false), NOTIFICATIONS_EVENTS: recorder(sent.notifications, true) };
  });
  const parse = (bodies: unknown[]) => bodies.map((body) => eventEnvelope.parse(body));
  return { orders: () => parse(sent.orders), notifications: () => parse(sent.notifications) };
}

async function armedWithReminder(order: Order = newOrder()) {
  const { result } = await deliver([orderEvent("order_created", order)], reminding);
  expect(result.retryMessages).toEqual([]);
  return order;
}

describe("a hold with a reminder", () => {
  it("rings first the lead before its end, with the buyer remembered", async () => {
    const order = await armedWithReminder();
    const remindAt = Date.parse(order.expiresAt) - LEAD_SECONDS * 1000;
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "armed" }, alarm: remindAt });
    expect(await reminderOf(order.id)).toEqual({ remindAt, userId: BUYER, eventId: expect.any(String), state: "armed" });
  });

  it("sends hold_ending to notifications alone when that alarm rings, then rings again at the end for the expiry", async () => {
    const order = await armedWithReminder();
    const queues = await recordQueues(order.id);
    expect(await runDurableObjectAlarm(holdOf(order.id))).toBe(true);
    const [ending, ...more] = queues.notifications();
    expect(more).toEqual([]);
    expect(ending).toMatchObject({
      type: "hold_ending",
      source: "expiration",
      id: (await reminderOf(order.id))!.eventId,
      data: { orderId: order.id, userId: BUYER, expiresAt: order.expiresAt },
    });
    expect(queues.orders()).toEqual([]);
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "armed" }, alarm: Date.parse(order.expiresAt) });
    expect(await reminderOf(order.id)).toMatchObject({ state: "sent" });

    expect(await runDurableObjectAlarm(holdOf(order.id))).toBe(true);
    expect(queues.orders().map((e) => e.type)).toEqual(["expiration_complete"]);
    expect(queues.notifications()).toHaveLength(1);
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "rang" }, alarm: null });
  });

  it("publishes one reminder id however many times its run repeats", async () => {
    const order = await armedWithReminder();
    const queues = await recordQueues(order.id);
    await runInDurableObject(holdOf(order.id), (hold: OrderHold) => Promise.all([hold.alarm(), hold.alarm()]));
    const ids = queues.notifications().map((e) => e.id);
    expect(new Set(ids)).toEqual(new Set([(await reminderOf(order.id))!.eventId]));
  });

  it("throws when the reminder cannot be sent, so the runtime retries it, and sends it once the queue is back", async () => {
    const order = await armedWithReminder();
    const queues = await recordQueues(order.id, 1);
    await expect(runAlarmAgain(order.id)).rejects.toThrow("queue unavailable");
    expect(await reminderOf(order.id)).toMatchObject({ state: "armed" });
    expect(await runDurableObjectAlarm(holdOf(order.id))).toBe(true);
    expect(queues.notifications().map((e) => e.type)).toEqual(["hold_ending"]);
    expect(queues.orders()).toEqual([]);
  });

  it("is not armed again by a duplicate order_created once sent: the next alarm is the end", async () => {
    const order = await armedWithReminder();
    const queues = await recordQueues(order.id);
    await runDurableObjectAlarm(holdOf(order.id));
    await deliver([orderEvent("order_created", order)], reminding);
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "armed" }, alarm: Date.parse(order.expiresAt) });
    await runDurableObjectAlarm(holdOf(order.id));
    expect(queues.notifications()).toHaveLength(1);
    expect(queues.orders().map((e) => e.type)).toEqual(["expiration_complete"]);
  });

  it("is never sent for an order that ended first", async () => {
    const order = await armedWithReminder();
    const queues = await recordQueues(order.id);
    await deliver([orderEvent("order_completed", order)], reminding);
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "finished" }, alarm: null });
    expect(await runDurableObjectAlarm(holdOf(order.id))).toBe(false);
    await runAlarmAgain(order.id);
    expect(queues.notifications()).toEqual([]);
    expect(queues.orders()).toEqual([]);
  });

  it("is skipped when its alarm rings after the hold's end: the hold ends at once instead", async () => {
    const order = await armedWithReminder();
    const queues = await recordQueues(order.id);
    // The alarm rang late (the object was unreachable until after the end).
    await runInDurableObject(holdOf(order.id), async (_hold: OrderHold, state) => {
      const hold = (await state.storage.get<Hold>("hold"))!;
      await state.storage.put<Hold>("hold", { ...hold, expiresAt: Date.now() - 1000 });
    });
    expect(await runDurableObjectAlarm(holdOf(order.id))).toBe(true);
    expect(queues.notifications()).toEqual([]);
    expect(queues.orders().map((e) => e.type)).toEqual(["expiration_complete"]);
    expect(await reminderOf(order.id)).toMatchObject({ state: "skipped" });
  });
});

describe("a hold without a reminder", () => {
  it("shorter than the lead: one alarm, at the end", async () => {
    const order = { ...newOrder(), expiresAt: new Date(Date.now() + (LEAD_SECONDS - 60) * 1000).toISOString() };
    await deliver([orderEvent("order_created", order)], reminding);
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "armed" }, alarm: Date.parse(order.expiresAt) });
    expect(await reminderOf(order.id)).toBeNull();
    // Disarmed, so the short alarm never rings into the next test.
    await deliver([orderEvent("order_cancelled", order)], reminding);
  });

  it("with reminders off (HOLD_REMINDER_SECONDS = 0): one alarm, at the end", async () => {
    const order = newOrder();
    await deliver([orderEvent("order_created", order)]);
    expect(await inspect(order.id)).toMatchObject({ alarm: Date.parse(order.expiresAt) });
    expect(await reminderOf(order.id)).toBeNull();
  });
});
