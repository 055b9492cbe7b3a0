import { createExecutionContext, createMessageBatch, getQueueResult, type QueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";

/**
 * The expiration Worker's own code, run beside orders so a hold's faults can be followed
 * to the order they end: its real inbox consumer and its real `OrderHold`, the Durable
 * Object standing on an in-memory storage double, because this test Worker has no Durable
 * Object binding. The double keeps what the runtime guarantees and the hold relies on:
 * one stored value per key (copied, as storage copies), one alarm per object, an alarm
 * cleared while its handler runs and set again when the handler throws (the runtime
 * retries it). The expiration Worker's own tests cover the real runtime.
 */

type HoldState = "armed" | "rang" | "finished";
type Hold = { orderId: string; state: HoldState; version: number; expiresAt: number | null; eventId: string | null };
type OrderHold = {
  arm(order: { orderId: string; expiresAt: string; version: number }): Promise<HoldState>;
  disarm(order: { orderId: string; version: number }): Promise<HoldState>;
  alarm(): Promise<void>;
  inspect(): Promise<{ hold: Hold | null; alarm: number | null }>;
};
type Modules = {
  OrderHold: { prototype: OrderHold };
  queue: (batch: MessageBatch, env: unknown, ctx: ExecutionContext) => Promise<void>;
};

/**
 * Loaded by computed specifiers: tsc checks this project against orders' `Env`, and would
 * otherwise check the expiration Worker's source against it too. Vite loads them as usual.
 */
async function load(): Promise<Modules> {
  const hold = (await import("../../expiration/src/order-hold" as string)) as Pick<Modules, "OrderHold">;
  const consumer = (await import("../../expiration/src/consumer" as string)) as Pick<Modules, "queue">;
  return { ...hold, ...consumer };
}

/** The expiration Worker beside orders; `env.ORDERS_EVENTS` is where every hold's alarm publishes. */
export async function expirationWorker() {
  const modules = await load();
  const holdEnv = { ...env, LOG_LEVEL: "warn", ORDERS_EVENTS: undefined as unknown as Queue };
  const objects = new Map<string, { hold: OrderHold; alarm: () => number | null; clearAlarm: () => void; setAlarm: (t: number) => void }>();

  function object(orderId: string) {
    let found = objects.get(orderId);
    if (!found) {
      const stored = new Map<string, unknown>();
      let alarm: number | null = null;
      const storage = {
        get: async (key: string) => structuredClone(stored.get(key)),
        put: async (key: string, value: unknown) => void stored.set(key, structuredClone(value)),
        setAlarm: async (time: number | Date) => void (alarm = Number(time)),
        deleteAlarm: async () => void (alarm = null),
        getAlarm: async () => alarm,
      };
      // The runtime constructs Durable Objects itself (workerd refuses a hand-made state), so
      // the object gets the prototype of the real class and the two fields its constructor sets.
      const hold = Object.create(modules.OrderHold.prototype) as OrderHold;
      Object.defineProperty(hold, "ctx", { value: { storage } });
      Object.defineProperty(hold, "env", { value: holdEnv });
      found = { hold, alarm: () => alarm, clearAlarm: () => void (alarm = null), setAlarm: (t) => void (alarm = t) };
      objects.set(orderId, found);
    }
    return found;
  }

  const namespace = { idFromName: (name: string) => name, get: (id: string) => object(id).hold };
  const deadLetters: unknown[] = [];
  const consumerEnv = {
    ...holdEnv,
    ORDER_HOLD: namespace,
    DEAD_LETTERS: { send: async (body: unknown) => void deadLetters.push(body) },
  };

  return {
    env: holdEnv,
    deadLetters,
    /** Delivers `bodies` as one batch to the expiration inbox's real consumer. */
    async deliver(bodies: unknown[]): Promise<QueueResult & { ids: string[] }> {
      const messages = bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body }));
      const batch = createMessageBatch("expiration-events", messages);
      const ctx = createExecutionContext();
      await modules.queue(batch, consumerEnv, ctx);
      return { ...(await getQueueResult(batch, ctx)), ids: messages.map((m) => m.id) };
    },
    inspect: (orderId: string) => object(orderId).hold.inspect(),
    /**
     * Runs the hold's alarm as the runtime does when it comes due: at its time (the clock
     * is set there; fake `Date` must be on), with the alarm cleared meanwhile and set again
     * if the handler throws. False when no alarm is set.
     */
    async ring(orderId: string): Promise<boolean> {
      const o = object(orderId);
      const due = o.alarm();
      if (due === null) return false;
      vi.setSystemTime(Math.max(Date.now(), due));
      o.clearAlarm();
      try {
        await o.hold.alarm();
      } catch (error) {
        o.setAlarm(due);
        throw error;
      }
      return true;
    },
    /** Runs the handler once more whether or not an alarm is set: alarms are at least once. */
    runAgain: (orderId: string) => object(orderId).hold.alarm(),
  };
}
