import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { eventEnvelope, type DomainEvent } from "../../../schema/events";
import { seeded, showSeed, type Random } from "../../../test/abuse/random";
import { retryDelay } from "../../shared/src/messaging";
import type { OrderHold } from "../src/order-hold";
import { deliver, holdOf, inspect, newOrder, orderEvent, type Order } from "./helpers";

/**
 * Faults around the hold, with the real Durable Object runtime: a hold that cannot be
 * reached while its order_created is delivered, and seeded random schedules of deliveries,
 * alarm runs, failing sends and repeated runs. Whatever happens, a hold publishes at most
 * one expiration_complete id, and never one after its order ended. (orders' hold-faults
 * test follows what the alarm sends into the orders inbox.)
 */

const quiet = () => {
  for (const level of ["log", "warn", "error"] as const) vi.spyOn(console, level).mockImplementation(() => {});
};

/** ORDER_HOLD whose first `failures` calls for `orderId` fail, as an overloaded or restarting object would. */
function unreachableAtFirst(orderId: string, failures: number) {
  let left = failures;
  const namespace = {
    idFromName: (name: string) => env.ORDER_HOLD.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = env.ORDER_HOLD.get(id);
      if (!id.equals(env.ORDER_HOLD.idFromName(orderId)) || left === 0) return stub;
      left--;
      const overloaded = () => Promise.reject(new Error("Durable Object is overloaded"));
      return { arm: overloaded, disarm: overloaded };
    },
  };
  return { ...env, ORDER_HOLD: namespace } as unknown as Env;
}

describe("the expiration inbox when a hold cannot be reached", () => {
  quiet();

  it.each([1, 3])("retries an order_created whose hold fails on its first %i deliveries, and arms it once; the rest of the batch is not held up", async (failures) => {
    const [order, other] = [newOrder(), newOrder()];
    const created = orderEvent("order_created", order);
    const poison = { id: "not-a-uuid", type: "order_created", data: { id: order.id } };
    const letters: unknown[] = [];
    const flaky = { ...unreachableAtFirst(order.id, failures), DEAD_LETTERS: { send: async (body: unknown) => void letters.push(body) } } as unknown as Env;
    for (let attempt = 1; attempt <= failures; attempt++) {
      const { ids, result, retries } = await deliver(attempt === 1 ? [created, poison, orderEvent("order_created", other)] : [created], flaky, attempt);
      expect(retries).toEqual([{ msgId: ids[0], delaySeconds: retryDelay(attempt) }]);
      expect(result.explicitAcks).toEqual(ids.slice(1));
      expect(await inspect(order.id)).toEqual({ hold: null, alarm: null });
    }
    expect(letters).toEqual([poison]);
    expect(await inspect(other.id)).toMatchObject({ hold: { state: "armed" } });
    const { ids, result } = await deliver([created], flaky, failures + 1);
    expect(result.explicitAcks).toEqual(ids);
    const armed = await inspect(order.id);
    expect(armed).toMatchObject({ hold: { state: "armed", eventId: expect.any(String) }, alarm: Date.parse(order.expiresAt) });
    await deliver([created, created], env, failures + 2);
    expect(await inspect(order.id)).toEqual(armed);
  });
});

// ——— Seeded schedules ———

const SEED = 0xa1a2_3001;
const RUNS = 500;

type Step =
  | { kind: "created"; copies: number }
  | { kind: "ended"; type: "order_cancelled" | "order_completed" }
  | { kind: "ring" }
  | { kind: "ring failing" }
  | { kind: "run again" };

function randomSchedule(random: Random): Step[] {
  return Array.from({ length: random.between(3, 8) }, (): Step => {
    const kind = random.pick(["created", "created", "ended", "ring", "ring", "ring failing", "run again"] as const);
    if (kind === "created") return { kind, copies: random.between(1, 2) };
    if (kind === "ended") return { kind, type: random.pick(["order_cancelled", "order_completed"] as const) };
    return { kind };
  });
}

const label = (s: Step) => (s.kind === "created" ? `order_created x${s.copies}` : s.kind === "ended" ? s.type : s.kind);

/** Where the schedule leaves the hold, from the rules in src/order-hold.ts: only an armed hold moves. */
function model(schedule: Step[]) {
  let state: "none" | "armed" | "rang" | "finished" = "none";
  let publishes = 0;
  for (const step of schedule) {
    if (step.kind === "created" && state === "none") state = "armed";
    if (step.kind === "ended") state = "finished";
    if ((step.kind === "ring" || step.kind === "run again") && state === "armed") {
      state = "rang";
      publishes++;
    }
  }
  return { state: state === "none" ? null : state, publishes };
}

/** Points the hold's ORDERS_EVENTS at a recorder whose next `failNext` sends throw. */
async function publishesOf(order: Order) {
  const box = { failNext: 0, sent: [] as unknown[] };
  const queue = {
    async send(body: unknown) {
      if (box.failNext > 0) {
        box.failNext--;
        throw new Error("queue unavailable");
      }
      box.sent.push(body);
    },
  } as unknown as Queue;
  await runInDurableObject(holdOf(order.id), (hold: OrderHold) => {
    (hold as unknown as { env: Env }).env = { ...env, ORDERS_EVENTS: queue };
  });
  return box;
}

describe("a hold under seeded schedules of deliveries, alarm runs and failing sends", () => {
  quiet();

  it(`publishes at most one expiration_complete id, and none once its order ended, over ${RUNS} runs`, { timeout: 60_000 }, async () => {
    console.info(`hold schedule fuzz: seed ${showSeed(SEED)}, ${RUNS} runs`);
    const random = seeded(SEED);
    const failures: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const schedule = randomSchedule(random);
      const order = newOrder();
      const box = await publishesOf(order);
      const problems: string[] = [];
      for (const step of schedule) {
        if (step.kind === "created") {
          const event = orderEvent("order_created", order);
          await deliver(Array.from({ length: step.copies }, () => event));
        } else if (step.kind === "ended") {
          await deliver([orderEvent(step.type, order)]);
        } else if (step.kind === "ring") {
          await runDurableObjectAlarm(holdOf(order.id));
        } else if (step.kind === "run again") {
          await runInDurableObject(holdOf(order.id), (hold: OrderHold) => hold.alarm());
        } else {
          box.failNext = 1;
          const state = (await inspect(order.id)).hold?.state;
          const outcome = await runInDurableObject(holdOf(order.id), (hold: OrderHold) => hold.alarm()).then(
            () => "ran",
            () => "threw",
          );
          // Only an armed hold sends, so only an armed hold can fail to.
          if (outcome !== (state === "armed" ? "threw" : "ran")) problems.push(`a failing send on a ${state ?? "new"} hold ${outcome}`);
          box.failNext = 0;
        }
      }
      const want = model(schedule);
      const { hold, alarm } = await inspect(order.id);
      const published = box.sent.map((body) => eventEnvelope.parse(body) as DomainEvent);
      if ((hold?.state ?? null) !== want.state) problems.push(`hold ${hold?.state ?? "absent"}, expected ${want.state ?? "absent"}`);
      if (published.length !== want.publishes) problems.push(`${published.length} published, expected ${want.publishes}`);
      if (published.some((e) => e.type !== "expiration_complete" || e.id !== hold?.eventId || (e.data as { orderId: string }).orderId !== order.id)) {
        problems.push(`published ${JSON.stringify(published)} for a hold with event id ${hold?.eventId}`);
      }
      // An armed hold keeps its alarm; an ended one has none. (A rung hold may keep an alarm that rings into nothing.)
      if (hold?.state === "armed" && alarm !== Date.parse(order.expiresAt)) problems.push(`armed hold with alarm ${alarm}`);
      if (hold?.state === "finished" && alarm !== null) problems.push(`finished hold with alarm ${alarm}`);
      if (problems.length > 0) failures.push(`run #${run} (seed ${showSeed(SEED)}): ${schedule.map(label).join(" → ")}\n  ${problems.join("\n  ")}`);
    }
    console.info(`hold schedule fuzz: ${RUNS} runs, ${failures.length} failures`);
    expect(failures.slice(0, 5).join("\n\n"), `${failures.length} of ${RUNS} runs failed (seed ${showSeed(SEED)})`).toBe("");
  });
});
