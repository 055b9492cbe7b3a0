import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createEvent } from "../../../schema/events";
import { retryDelay } from "../../shared/src/messaging";
import { deliver, holdOf, inspect, newOrder, orderEvent, permutations, recordPublishes } from "./helpers";

/** The Worker's bindings with the dead-letter queue recorded (or failing). */
function withDeadLetters(fail = false) {
  const letters: unknown[] = [];
  const DEAD_LETTERS = {
    async send(body: unknown) {
      if (fail) throw new Error("queue unavailable");
      letters.push(body);
    },
  } as unknown as Queue;
  return { env: { ...env, DEAD_LETTERS } as Env, letters };
}

describe("the expiration-events inbox", () => {
  it("acks every event it applied", async () => {
    const order = newOrder();
    const { ids, result } = await deliver([orderEvent("order_created", order), orderEvent("order_completed", order)]);
    expect(result.explicitAcks).toEqual(ids);
    expect(result.retryMessages).toEqual([]);
  });

  it.each([
    ["a body that breaks the envelope contract", { id: "nope", type: "order_created", data: {} }],
    ["an event type this inbox does not take", createEvent("expiration_complete", "expiration", { orderId: crypto.randomUUID() }, 0)],
  ])("sends a message that can never apply to the dead-letter queue at once, acked: %s", async (_name, body) => {
    const dlq = withDeadLetters();
    const { ids, result } = await deliver([body], dlq.env);
    expect(result.explicitAcks).toEqual(ids);
    expect(result.retryMessages).toEqual([]);
    expect(dlq.letters).toEqual([body]);
  });

  it("applies an event numbered by orders' outbox and acks orders' heartbeat, keeping no numbering of its own", async () => {
    const dlq = withDeadLetters();
    const order = newOrder();
    const numbered = { ...orderEvent("order_created", order), seq: 41 };
    const heartbeat = { control: "heartbeat", source: "orders", seq: 41 };
    const { ids, result } = await deliver([numbered, heartbeat], dlq.env);
    expect(result.explicitAcks).toEqual(ids);
    expect(result.retryMessages).toEqual([]);
    expect(dlq.letters).toEqual([]);
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "armed" }, alarm: Date.parse(order.expiresAt) });
  });

  it("retries a poison message rather than lose it when the dead-letter queue refuses it", async () => {
    const dlq = withDeadLetters(true);
    const { ids, result, retries } = await deliver([{ poison: true }], dlq.env);
    expect(result.explicitAcks).toEqual([]);
    expect(retries).toEqual([{ msgId: ids[0], delaySeconds: retryDelay(1) }]);
  });

  it("retries with backoff when the hold cannot be reached, and arms it on a later delivery", async () => {
    const order = newOrder();
    const unreachable = {
      ...env,
      ORDER_HOLD: {
        idFromName: (name: string) => env.ORDER_HOLD.idFromName(name),
        get: () => ({ arm: () => Promise.reject(new Error("object overloaded")) }),
      },
    } as unknown as Env;
    const event = orderEvent("order_created", order);
    const first = await deliver([event], unreachable, 3);
    expect(first.result.explicitAcks).toEqual([]);
    expect(first.retries).toEqual([{ msgId: first.ids[0], delaySeconds: retryDelay(3) }]);
    expect(await inspect(order.id)).toEqual({ hold: null, alarm: null });
    await deliver([event], env, 4);
    expect(await inspect(order.id)).toMatchObject({ hold: { state: "armed" }, alarm: Date.parse(order.expiresAt) });
  });
});

describe("order events in every arrival order, with duplicates", () => {
  it.each(["order_cancelled", "order_completed"] as const)(
    "order_created and %s (each twice) always leave the hold ended, its alarm never ringing",
    async (ending) => {
      for (const indexes of permutations([0, 1, 2, 3])) {
        const order = newOrder();
        const created = orderEvent("order_created", order);
        const ended = orderEvent(ending, order);
        const events = [created, ended, created, ended];
        const publishes = await recordPublishes(order.id);
        for (const i of indexes) await deliver([events[i]]);
        expect(await inspect(order.id)).toMatchObject({ hold: { orderId: order.id, state: "finished", version: 1 }, alarm: null });
        expect(await runDurableObjectAlarm(holdOf(order.id))).toBe(false);
        expect(publishes.sent).toEqual([]);
      }
    },
  );

  it("all in one batch, in every order, end the same way", async () => {
    for (const indexes of permutations([0, 1, 2])) {
      const order = newOrder();
      const events = [orderEvent("order_created", order), orderEvent("order_cancelled", order), orderEvent("order_created", order)];
      const { result } = await deliver(indexes.map((i) => events[i]));
      expect(result.retryMessages).toEqual([]);
      expect(await inspect(order.id)).toMatchObject({ hold: { state: "finished" }, alarm: null });
    }
  });
});
