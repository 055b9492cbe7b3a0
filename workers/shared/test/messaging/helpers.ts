import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { and, eq, sql } from "drizzle-orm";
import { vi } from "vitest";
import { createEvent } from "../../../../schema/events";
import { database, vinyl } from "./fixture/worker";
import { applications, deadLetters, inbox, inboxSources, outbox, records } from "./fixture/tables";

export const db = database(env);

export const created = (id: string, title: string) => createEvent("vinyl_created", "catalog", vinyl(id, title, 1), 1);
export const updated = (id: string, title: string, version: number) =>
  createEvent("vinyl_updated", "catalog", vinyl(id, title, version), version);

export function call(fetcher: Fetcher, method: string, path: string, body: unknown) {
  return fetcher.fetch(`http://fixture.test${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

type Consumer = (batch: MessageBatch, env: Env, ctx: ExecutionContext) => Promise<void>;

/**
 * Delivers `bodies` to `consumer` as one batch, the way the runtime would, and returns what
 * it acked and retried. getQueueResult drops the delay a message was retried with, so
 * `retries` reads it from the calls to `retry()` instead.
 */
export async function deliver(consumer: Consumer, bodies: unknown[], attempts = 1, testEnv: Env = env) {
  const messages = bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts, body }));
  const batch = createMessageBatch("orders-events", messages);
  const retries: { msgId: string; delaySeconds?: number }[] = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    vi.spyOn(message, "retry").mockImplementation((options) => {
      retries.push({ msgId: message.id, delaySeconds: options?.delaySeconds });
      retry(options);
    });
  }
  const ctx = createExecutionContext();
  await consumer(batch, testEnv, ctx);
  return { ids: messages.map((m) => m.id), result: await getQueueResult(batch, ctx), retries };
}

/**
 * An event's row for the orders inbox, the one this fixture consumes. (vinyl_* events also go
 * to the notifications inbox, whose rows these tests leave aside.)
 */
export const outboxRows = (eventId: string) => db.select().from(outbox).where(and(eq(outbox.eventId, eventId), eq(outbox.destination, "orders")));

/** An event's rows that no relay has sent yet. */
export const unsentRows = async (eventId: string) => (await outboxRows(eventId)).filter((r) => r.sentAt === null);

/** What the inbox knows of a source's numbering. */
export const sourceState = async (source: string) => (await db.select().from(inboxSources).where(eq(inboxSources.source, source)))[0];

export const inboxHas = async (eventId: string) =>
  (await db.select().from(inbox).where(eq(inbox.eventId, eventId))).length === 1;

export const record = async (id: string) => (await db.select().from(records).where(eq(records.id, id)))[0];

/** How many times a handler's effect committed for `eventId`. */
export const applied = async (eventId: string) =>
  (await db.select().from(applications).where(eq(applications.eventId, eventId))).length;

/** Dead letters whose body has `value` at JSON `path`, e.g. `$.id`. */
export const deadLettersWith = (path: string, value: string) =>
  db.select().from(deadLetters).where(sql`json_extract(${deadLetters.body}, ${path}) = ${value}`);

/** Makes an event's outbox rows look `ms` older, as if the sweep came by that much later. */
export const age = (eventId: string, ms: number) =>
  db.update(outbox).set({ createdAt: sql`${outbox.createdAt} - ${ms}` }).where(eq(outbox.eventId, eventId));
