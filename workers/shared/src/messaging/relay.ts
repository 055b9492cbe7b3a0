import { and, eq, isNotNull, isNull, lt, or, sql, between, desc } from "drizzle-orm";
import { ROUTES, type ControlMessage, type DomainEvent, type Inbox, type Source } from "../../../../schema/events";
import { outbox } from "../../../../schema/tables/messaging";
import { log } from "../log";
import { chunk } from "./chunk";
import type { Db, Publisher, Queues, Statement } from "./types";

export type OutboxRow = typeof outbox.$inferSelect;

// sendBatch takes at most 100 messages and 256 KB, a message at most 128 KB.
const MESSAGES_PER_BATCH = 50;
const BYTES_PER_BATCH = 200_000;
const BYTES_PER_MESSAGE = 128_000;
/** Rows one sweep or one resend request sends; the next takes the rest. */
const ROWS_PER_RUN = 500;
/** How long a sent row is kept, so an inbox that missed it can still ask for it. */
export const RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

const encoder = new TextEncoder();

/** The message for a row: the event as staged, with its number for that inbox. */
const messageOf = (row: OutboxRow) => (row.seq === null ? JSON.parse(row.body) : { ...JSON.parse(row.body), seq: row.seq });

/** Groups rows into sendBatch calls; a message too large to send goes alone, so it fails alone. */
function batches(rows: readonly OutboxRow[]): OutboxRow[][] {
  const out: OutboxRow[][] = [];
  let current: OutboxRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = encoder.encode(row.body).byteLength;
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

/** Sends rows to their inboxes; answers the rows a queue accepted. */
async function deliver(publisher: Publisher, rows: readonly OutboxRow[]) {
  const sent: OutboxRow[] = [];
  let failed = 0;
  for (const [destination, group] of Map.groupBy(rows, (r) => r.destination as Inbox)) {
    const queue = publisher.queues[destination];
    for (const batch of batches(group)) {
      const loss = publisher.lossRate ?? 0;
      const kept = loss > 0 ? batch.filter(() => Math.random() >= loss) : batch;
      try {
        if (!queue) throw new Error(`no producer binding for inbox ${destination}`);
        if (kept.length > 0) await queue.sendBatch(kept.map((r) => ({ body: messageOf(r), contentType: "json" as const })));
      } catch (error) {
        failed += batch.length;
        log.error("outbox relay failed", { destination, events: batch.length, error: String(error) });
        continue;
      }
      if (kept.length < batch.length) log.warn("messages dropped on purpose (MESSAGE_LOSS_RATE)", { destination, dropped: batch.length - kept.length });
      sent.push(...batch);
    }
  }
  return { sent, failed };
}

// Two bound parameters name a row (its event and inbox) and one more is the time: D1 binds at
// most 100 per statement.
const ROWS_PER_MARK = 49;

/**
 * Records rows as sent: one statement for a commit's rows whatever inboxes they went to, each
 * row named by its key, so a row whose inbox refused it is never marked. A failure only means
 * the sweep sends them again, which inboxes ignore.
 */
async function markSent(db: Db, rows: readonly OutboxRow[], now = Date.now()) {
  const updates: Statement[] = chunk(rows, ROWS_PER_MARK).map((group) =>
    db
      .update(outbox)
      .set({ sentAt: now })
      .where(or(...group.map((r) => and(eq(outbox.eventId, r.eventId), eq(outbox.destination, r.destination))))),
  );
  if (updates.length === 0) return;
  try {
    await db.batch(updates as [Statement, ...Statement[]]);
  } catch (error) {
    log.warn("outbox rows sent but not marked sent; they will be sent again", { events: rows.length, error: String(error) });
  }
}

/** Sends `rows` and marks those a queue accepted as sent. */
export async function relayRows(db: Db, publisher: Publisher, rows: readonly OutboxRow[]) {
  const { sent, failed } = await deliver(publisher, rows);
  await markSent(db, sent);
  return { sent: sent.length, failed };
}

/**
 * The cron sweep: sends rows no relay has sent, oldest first. Rows younger than
 * `olderThanMs` are left to the relay that may still be sending them.
 */
export async function sweep(db: Db, publisher: Publisher, olderThanMs = 10_000) {
  const rows = await db
    .select()
    .from(outbox)
    .where(and(isNull(outbox.sentAt), lt(outbox.createdAt, Date.now() - olderThanMs)))
    .orderBy(outbox.createdAt)
    .limit(ROWS_PER_RUN);
  return relayRows(db, publisher, rows);
}

/** Answers an inbox's resend request: the rows it names, sent again while this outbox keeps them. */
export async function resend(db: Db, publisher: Publisher, inbox: Inbox, ranges: readonly (readonly [number, number])[]) {
  const rows = await db
    .select()
    .from(outbox)
    .where(and(eq(outbox.destination, inbox), or(...ranges.map(([from, to]) => between(outbox.seq, from, to)))))
    .orderBy(outbox.seq)
    .limit(ROWS_PER_RUN);
  const result = await relayRows(db, publisher, rows);
  log.warn("messages sent again on request", { inbox, ranges: ranges.length, ...result });
  return result;
}

/**
 * Tells each inbox this outbox sends to the highest number it has given it, so an inbox
 * whose last messages were lost finds the gap without waiting for another message.
 */
export async function heartbeat(db: Db, publisher: Publisher, source: Source) {
  const destinations = Object.keys(publisher.queues) as Inbox[];
  if (destinations.length === 0) return 0;
  const highest = destinations.map((d) =>
    db.select({ seq: outbox.seq }).from(outbox).where(and(eq(outbox.destination, d), isNotNull(outbox.seq))).orderBy(desc(outbox.seq)).limit(1),
  );
  const results = (await db.batch(highest as unknown as [Statement, ...Statement[]])) as unknown as { seq: number }[][];
  let sent = 0;
  for (const [i, destination] of destinations.entries()) {
    const seq = results[i]?.[0]?.seq;
    if (!seq) continue;
    const message: ControlMessage = { control: "heartbeat", source, seq };
    await publisher.queues[destination]!.send(message, { contentType: "json" });
    sent++;
  }
  return sent;
}

/** Deletes sent rows past their retention, keeping each inbox's newest, which numbering continues from. */
export async function prune(db: Db, now = Date.now()) {
  const result = await db
    .delete(outbox)
    .where(
      and(
        lt(outbox.sentAt, now - RETENTION_MS),
        sql`(${outbox.seq} is null or ${outbox.seq} < (select max(o.seq) from ${outbox} as o where o.destination = "outbox"."destination"))`,
      ),
    );
  return result.meta.changes;
}

/**
 * Sends events straight to their inboxes, unnumbered, for a publisher whose own storage is
 * its outbox (the hold's Durable Object). A loss is repaired by the receiver's backstop.
 */
export async function sendNow(queues: Queues, events: readonly DomainEvent[]) {
  for (const event of events) {
    for (const destination of ROUTES[event.type]) {
      const queue = queues[destination];
      if (!queue) throw new Error(`no producer binding for inbox ${destination}`);
      await queue.send(event, { contentType: "json" });
    }
  }
}
