import { and, eq, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { ROUTES, type DomainEvent, type Inbox } from "../../../schema/events";
import { outbox } from "../../../schema/tables/messaging";
import { log } from "./log";

// Any drizzle D1 database whose schema includes the messaging tables.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = DrizzleD1Database<any>;
export type Statement = BatchItem<"sqlite">;

/** Producer bindings by inbox: `{ orders: env.ORDERS_EVENTS, … }`, only those this service publishes to. */
export type Queues = Partial<Record<Inbox, Queue>>;

// D1 binds at most 100 parameters per statement; an outbox row takes five.
const ROWS_PER_INSERT = 20;
const IDS_PER_SELECT = 90;
// sendBatch takes at most 100 messages and 256 KB, a message at most 128 KB. Fifty per
// batch also keeps the delete that follows (ids + destination) under the parameter limit.
const MESSAGES_PER_BATCH = 50;
const BYTES_PER_BATCH = 200_000;
const BYTES_PER_MESSAGE = 128_000;
/** Rows one sweep reads; the next sweep takes the rest. */
const SWEEP_ROWS = 500;

const chunk = <T>(items: readonly T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Outbox rows for `events`, one per subscriber inbox, to run in the same `batch()` as the
 * state change that caused them. With `when`, the rows are written only if that condition
 * holds at that point of the batch, so an event is never recorded for a change that a
 * concurrent writer pre-empted. `when` is evaluated once per row: a condition on
 * `changes()` sees the previous row's insert, which holds exactly when that row was written.
 */
export function stageEvents(db: Db, events: readonly DomainEvent[], when?: SQL): Statement[] {
  const now = Date.now();
  const rows = events.flatMap((event) =>
    ROUTES[event.type].map((destination) => ({
      eventId: event.id,
      destination,
      type: event.type,
      body: JSON.stringify(event),
      createdAt: now,
    })),
  );
  if (!when) return chunk(rows, ROWS_PER_INSERT).map((part) => db.insert(outbox).values(part));
  // An insert builder, not `db.run(sql)`: drizzle's D1 batch cannot bind a raw statement's parameters.
  // The select lists the values in the table's column order, which insert … select requires.
  return rows.map((r) =>
    db
      .insert(outbox)
      .select(sql`select ${r.eventId}, ${r.destination}, ${r.type}, ${r.body}, ${r.createdAt} where ${when}`),
  );
}

export type CommitOptions = {
  queues: Queues;
  /**
   * Keeps the relay running after the response. Pass `(p) => ctx.waitUntil(p)`: the bare
   * method `ctx.waitUntil` loses its receiver and workerd throws "Illegal invocation".
   */
  waitUntil: (promise: Promise<unknown>) => void;
  when?: SQL;
};

/**
 * Commits `statements` and the outbox rows for `events` in one batch, then relays the
 * events. The relay runs after the response (`waitUntil`); if it fails the cron sweep
 * sends the rows later, so an event is never lost, only late.
 */
export async function commit(db: Db, statements: readonly Statement[], events: readonly DomainEvent[], opts: CommitOptions) {
  const all = [...statements, ...stageEvents(db, events, opts.when)];
  if (all.length === 0) return [];
  const results = await db.batch(all as [Statement, ...Statement[]]);
  relayAfterCommit(db, opts.queues, events.map((e) => e.id), opts.waitUntil);
  return results;
}

/**
 * Relays just-committed events in the background. Once the batch has committed nothing
 * here may fail the caller: the change is made, and the sweep is the backstop.
 */
export function relayAfterCommit(
  db: Db,
  queues: Queues,
  eventIds: readonly string[],
  waitUntil: (promise: Promise<unknown>) => void,
) {
  if (eventIds.length === 0) return;
  const pending = relay(db, queues, eventIds).catch((error) => {
    log.error("outbox relay failed; the sweep will resend", { events: eventIds.length, error: String(error) });
  });
  try {
    waitUntil(pending);
  } catch (error) {
    log.error("outbox relay could not be kept alive; the sweep will resend", { error: String(error) });
  }
}

type OutboxRow = typeof outbox.$inferSelect;

/** Groups rows into sendBatch calls; a message too large to send goes alone, so it fails alone. */
function batches(rows: readonly OutboxRow[]): OutboxRow[][] {
  const out: OutboxRow[][] = [];
  let current: OutboxRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = new TextEncoder().encode(row.body).byteLength;
    if (size > BYTES_PER_MESSAGE) {
      out.push([row]);
      continue;
    }
    if (current.length === MESSAGES_PER_BATCH || bytes + size > BYTES_PER_BATCH) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function pendingRows(db: Db, eventIds: readonly string[] | undefined, olderThanMs: number) {
  if (!eventIds) {
    return db
      .select()
      .from(outbox)
      .where(lt(outbox.createdAt, Date.now() - olderThanMs))
      .orderBy(outbox.createdAt)
      .limit(SWEEP_ROWS);
  }
  const rows: OutboxRow[] = [];
  for (const ids of chunk(eventIds, IDS_PER_SELECT)) {
    rows.push(...(await db.select().from(outbox).where(inArray(outbox.eventId, ids))));
  }
  return rows;
}

/**
 * Sends outbox rows to their inbox queues and deletes each once its queue accepted it.
 * With `eventIds`, only those events; otherwise the oldest rows created more than
 * `olderThanMs` ago (the sweep leaves rows a relay may still be sending).
 */
export async function relay(
  db: Db,
  queues: Queues,
  eventIds?: readonly string[],
  olderThanMs = 0,
): Promise<{ sent: number; failed: number }> {
  const rows = await pendingRows(db, eventIds, olderThanMs);
  let sent = 0;
  let failed = 0;
  const byDestination = Map.groupBy(rows, (r) => r.destination as Inbox);
  for (const [destination, group] of byDestination) {
    const queue = queues[destination];
    for (const batch of batches(group)) {
      try {
        if (!queue) throw new Error(`no producer binding for inbox ${destination}`);
        await queue.sendBatch(batch.map((r) => ({ body: JSON.parse(r.body), contentType: "json" as const })));
      } catch (error) {
        failed += batch.length;
        log.error("outbox relay failed", { destination, events: batch.length, error: String(error) });
        continue;
      }
      // Sent: a failed delete only means the sweep sends these again, which inboxes ignore.
      try {
        await db
          .delete(outbox)
          .where(and(eq(outbox.destination, destination), inArray(outbox.eventId, batch.map((r) => r.eventId))));
      } catch (error) {
        log.warn("outbox rows sent but not deleted; they will be sent again", {
          destination,
          events: batch.length,
          error: String(error),
        });
      }
      sent += batch.length;
    }
  }
  return { sent, failed };
}

/** The cron sweep: resends whatever a relay after commit did not deliver. */
export function sweep(db: Db, queues: Queues, olderThanMs = 10_000) {
  return relay(db, queues, undefined, olderThanMs);
}

/** Producer bindings by inbox, read from a Worker's env by the `<INBOX>_EVENTS` convention. */
export function queuesFrom(env: object): Queues {
  const queues: Queues = {};
  for (const [name, binding] of Object.entries(env)) {
    const match = /^([A-Z]+)_EVENTS$/.exec(name);
    if (match) queues[match[1]!.toLowerCase() as Inbox] = binding as Queue;
  }
  return queues;
}
