import type { BatchItem } from "drizzle-orm/batch";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import type { Inbox } from "../../../../schema/events";

// Any drizzle D1 database whose schema includes the messaging tables.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = DrizzleD1Database<any>;
export type Statement = BatchItem<"sqlite">;

/** Producer bindings by inbox: `{ orders: env.ORDERS_EVENTS, … }`, only those this service sends to. */
export type Queues = Partial<Record<Inbox, Queue>>;

/**
 * Keeps work running after the response. Pass `(p) => ctx.waitUntil(p)`: the bare method
 * `ctx.waitUntil` loses its receiver and workerd throws "Illegal invocation".
 */
export type WaitUntil = (promise: Promise<unknown>) => void;

/** What sending needs: the queues, and a way to finish after the response. */
export type Publisher = {
  queues: Queues;
  waitUntil: WaitUntil;
  /**
   * Share of messages (0–1) to drop after the queue would have accepted them, as a queue that
   * loses messages would. Only the local system's lossy-delivery test sets it
   * (`MESSAGE_LOSS_RATE`); unset, nothing is dropped.
   */
  lossRate?: number;
};

/** Producer bindings by inbox, read from a Worker's env by the `<INBOX>_EVENTS` convention. */
export function queuesFrom(env: object): Queues {
  const queues: Queues = {};
  for (const [name, binding] of Object.entries(env)) {
    const match = /^([A-Z]+)_EVENTS$/.exec(name);
    if (match) queues[match[1]!.toLowerCase() as Inbox] = binding as Queue;
  }
  return queues;
}

/** The publisher of a Worker invocation: its queues, its `waitUntil`, and any configured loss. */
export function publisherFor(env: object, ctx: { waitUntil(promise: Promise<unknown>): void }): Publisher {
  const loss = Number((env as { MESSAGE_LOSS_RATE?: string }).MESSAGE_LOSS_RATE ?? 0);
  return {
    queues: queuesFrom(env),
    waitUntil: (p) => ctx.waitUntil(p),
    ...(loss > 0 && loss <= 1 ? { lossRate: loss } : {}),
  };
}
