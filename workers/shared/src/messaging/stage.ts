import { sql, type SQL } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { ROUTES, type DomainEvent, type EventType, type Source } from "../../../../schema/events";
import { outbox } from "../../../../schema/tables/messaging";
import type { Db, Statement } from "./types";

/**
 * The outbox rows of some events, as one statement to run in the same batch as the change
 * that causes them (pass it to `commit`, or return it in an inbox handler's effect). The
 * rows go to every inbox `ROUTES` names for the event's type.
 */
export type Staged = { readonly kind: "staged"; readonly eventIds: readonly string[]; readonly statement: Statement };

export const isStaged = (item: unknown): item is Staged => (item as Staged | null)?.kind === "staged";

export type StageOptions = {
  /**
   * Write the rows only if this holds at that point of the batch, so an event is never
   * recorded for a change a concurrent writer pre-empted. It is evaluated in the statement
   * right after the change: `changes() = 1` there means "the change hit its row".
   */
  when?: SQL;
};

/**
 * Stages events built in code (`createEvent`). All of them, for all their inboxes, are one
 * statement, so `when` is evaluated once, right after the statement before it.
 */
export function stage(db: Db, events: DomainEvent | readonly DomainEvent[], { when }: StageOptions = {}): Staged {
  const list: readonly DomainEvent[] = Array.isArray(events) ? events : [events as DomainEvent];
  const rows = JSON.stringify(list.map((event) => ({ id: event.id, type: event.type, body: JSON.stringify(event), to: ROUTES[event.type] })));
  // An insert builder, not `db.run(sql)`: drizzle's D1 batch cannot bind a raw statement's
  // parameters. The select lists every column in the table's order, which insert … select requires.
  const statement = db.insert(outbox).select(
    sql`select json_extract(e.value, '$.id'), d.value, json_extract(e.value, '$.type'), json_extract(e.value, '$.body'),
      ${Date.now()}, null, null
      from json_each(${rows}) as e, json_each(json_extract(e.value, '$.to')) as d where ${when ?? sql`1`}`,
  );
  return { kind: "staged", eventIds: list.map((e) => e.id), statement };
}

/** How `stageFromRow` reads the event off a row: SQL expressions over the columns of `from`. */
export type RowEvent = {
  source: Source;
  from: SQLiteTable;
  /** Picks the row; it must match at most one. No match, no event. */
  where: SQL;
  /** `json_object(…)` of the event's `data`, in the fields of its contract (schema/events.ts). */
  data: SQL;
  version: SQL;
};

/**
 * Stages a `type` event whose envelope SQLite builds from a row in the same batch. A change
 * that the request never read (an edit, a cancel guarded by a condition) is then announced
 * exactly as it commits: the event can never disagree with the row, and no round trip is
 * spent reading the row first.
 */
export function stageFromRow(db: Db, type: EventType, row: RowEvent): Staged {
  const eventId = crypto.randomUUID();
  const body = sql`json_object('id', ${eventId}, 'type', ${type}, 'version', ${row.version},
    'occurredAt', ${new Date().toISOString()}, 'source', ${row.source}, 'data', ${row.data})`;
  const statement = db.insert(outbox).select(
    sql`select ${eventId}, d.value, ${type}, ${body}, ${Date.now()}, null, null
      from ${row.from}, json_each(${JSON.stringify(ROUTES[type])}) as d where ${row.where}`,
  );
  return { kind: "staged", eventIds: [eventId], statement };
}
