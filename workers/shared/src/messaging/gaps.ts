import { and, asc, eq, gt, sql } from "drizzle-orm";
import { INBOXES, type ControlMessage, type Inbox } from "../../../../schema/events";
import { inbox, inboxSources } from "../../../../schema/tables/messaging";
import { log } from "../log";
import { RETENTION_MS } from "./relay";
import type { Db, Publisher, Statement } from "./types";

/**
 * How long a missing number may stay missing before it is asked for: queues deliver in any
 * order and retry with backoff, so a later message often overtakes an earlier one by seconds.
 */
export const GRACE_MS = 15_000;
/** Inbox rows one source's scan reads; a longer backlog is read by the next runs. */
const SCAN_ROWS = 2_000;
/** Ranges in one request (each costs two parameters in the sender's query). */
const RANGES_PER_REQUEST = 40;

type Gap = { from: number; to: number; seenAt: number };

/** The statement that records `seq` from `source` as the highest known, for the same batch as the message's effect. */
export function learnSeq(db: Db, source: string, seq: number, now = Date.now()): Statement {
  return db
    .insert(inboxSources)
    .values({ source, latestSeq: seq, latestAt: now })
    .onConflictDoUpdate({
      target: inboxSources.source,
      // Every expression reads the row as it was, so latest_at moves only with latest_seq.
      set: {
        latestAt: sql`case when excluded.latest_seq > ${inboxSources.latestSeq} then excluded.latest_at else ${inboxSources.latestAt} end`,
        latestSeq: sql`max(${inboxSources.latestSeq}, excluded.latest_seq)`,
      },
    });
}

/**
 * Finds numbers from each source that never arrived and asks the source to send them again.
 * Everything up to the watermark has arrived; above it, a number is missing once a higher
 * one (a message, or the source's heartbeat) has been known for `GRACE_MS`. Asking repeats
 * every run until the gap is filled. A gap older than the source keeps its rows cannot be
 * filled and is passed over, loudly.
 */
export async function requestMissing(db: Db, publisher: Publisher, self: Inbox, now = Date.now()) {
  const sources = await db.select().from(inboxSources);
  let requested = 0;
  for (const source of sources) {
    const rows = await db
      .select({ seq: inbox.seq, processedAt: inbox.processedAt })
      .from(inbox)
      .where(and(eq(inbox.source, source.source), gt(inbox.seq, source.watermark)))
      .orderBy(asc(inbox.seq))
      .limit(SCAN_ROWS);
    let expected = source.watermark + 1;
    let watermark = source.watermark;
    let contiguous = true;
    const gaps: Gap[] = [];
    for (const { seq, processedAt } of rows as { seq: number; processedAt: number }[]) {
      if (seq < expected) continue;
      if (seq > expected) {
        if (contiguous && now - processedAt > RETENTION_MS) {
          log.error("messages lost beyond the sender's retention; passed over", { self, source: source.source, from: expected, to: seq - 1 });
        } else {
          gaps.push({ from: expected, to: seq - 1, seenAt: processedAt });
          contiguous = false;
        }
      }
      if (contiguous) watermark = seq;
      expected = seq + 1;
    }
    if (rows.length < SCAN_ROWS && source.latestSeq >= expected) gaps.push({ from: expected, to: source.latestSeq, seenAt: source.latestAt });

    if (watermark > source.watermark) {
      await db
        .update(inboxSources)
        .set({ watermark: sql`max(${inboxSources.watermark}, ${watermark})` })
        .where(eq(inboxSources.source, source.source));
    }
    const due = gaps.filter((g) => now - g.seenAt >= GRACE_MS).slice(0, RANGES_PER_REQUEST);
    if (due.length === 0) continue;
    const owner = source.source as Inbox;
    const queue = INBOXES.includes(owner) ? publisher.queues[owner] : undefined;
    if (!queue) {
      log.error("messages missing from a source this inbox cannot ask", { self, source: source.source, gaps: due.length });
      continue;
    }
    const message: ControlMessage = { control: "resend", inbox: self, ranges: due.map((g) => [g.from, g.to]) };
    await queue.send(message, { contentType: "json" });
    log.warn("asked for missing messages", { self, source: source.source, ranges: message.ranges });
    requested += due.reduce((n, g) => n + g.to - g.from + 1, 0);
  }
  return requested;
}
