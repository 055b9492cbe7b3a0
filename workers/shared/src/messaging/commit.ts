import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { outbox } from "../../../../schema/tables/messaging";
import { log } from "../log";
import { chunk, IDS_PER_SELECT } from "./chunk";
import { relayRows, type OutboxRow } from "./relay";
import { isStaged, type Staged } from "./stage";
import type { Db, Publisher, Statement } from "./types";

/**
 * Numbers an event's rows: each takes the next `seq` of its destination. One statement per
 * event: its rows all go to different inboxes, so no row's number depends on another's.
 */
const numberRows = (db: Db, eventId: string) =>
  db
    .update(outbox)
    .set({ seq: sql`(select coalesce(max(o.seq), 0) + 1 from ${outbox} as o where o.destination = "outbox"."destination")` })
    .where(and(eq(outbox.eventId, eventId), isNull(outbox.seq)));

type Results<T extends readonly (Statement | Staged)[]> = { [K in keyof T]: T[K] extends Staged ? undefined : Awaited<T[K]> };

/**
 * Commits `items` (statements, and events staged with `stage`/`stageFromRow`, in the order
 * given) in one D1 `batch()`: all of it or none. In the same batch the new outbox rows are
 * numbered and read back; after the commit they are relayed to their inboxes in the
 * background. If that fails the cron sweep sends them, so an event is never lost, only late.
 * Answers each statement's result at its position (`undefined` for staged events).
 */
export async function commit<const T extends readonly (Statement | Staged)[]>(db: Db, items: T, publisher: Publisher): Promise<Results<T>> {
  const eventIds = items.filter(isStaged).flatMap((s) => s.eventIds);
  const statements = items.map((item) => (isStaged(item) ? item.statement : item));
  const tail = [
    ...eventIds.map((id) => numberRows(db, id)),
    ...chunk(eventIds, IDS_PER_SELECT).map((ids) => db.select().from(outbox).where(inArray(outbox.eventId, ids))),
  ];
  const all = [...statements, ...tail];
  if (all.length === 0) return [] as unknown as Results<T>;
  const results = (await db.batch(all as [Statement, ...Statement[]])) as unknown[];
  const rows = results.slice(statements.length + eventIds.length).flat() as OutboxRow[];
  relayAfterCommit(db, publisher, rows);
  return items.map((item, i) => (isStaged(item) ? undefined : results[i])) as unknown as Results<T>;
}

/** Relays just-committed rows in the background. Nothing here may fail the caller: the change is made. */
function relayAfterCommit(db: Db, publisher: Publisher, rows: readonly OutboxRow[]) {
  if (rows.length === 0) return;
  const pending = relayRows(db, publisher, rows).catch((error) => {
    log.error("outbox relay failed; the sweep will resend", { events: rows.length, error: String(error) });
  });
  try {
    publisher.waitUntil(pending);
  } catch (error) {
    log.error("outbox relay could not be kept alive; the sweep will resend", { error: String(error) });
  }
}
