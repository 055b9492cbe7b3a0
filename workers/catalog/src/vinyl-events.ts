import { sql, type SQL } from "drizzle-orm";
import type { z } from "zod";
import { ROUTES, type EventType, type vinylData } from "../../../schema/events";
import { outbox, vinyls } from "../../../schema/tables/catalog";
import { type Db, type Statement } from "../../shared/src/outbox";
import type { VinylRow } from "./vinyl-json";

/** The listing as `vinyl_created` / `vinyl_updated` carry it (schema/events.ts `vinylData`). */
export function vinylEventData(row: Omit<VinylRow, "seq" | "mediaRank">): z.input<typeof vinylData> {
  return {
    id: row.id,
    userId: row.userId,
    title: row.title,
    artist: row.artist,
    genre: row.genre,
    priceCents: row.priceCents,
    currency: row.currency,
    description: row.description,
    imageUrl: row.imageUrl,
    mediaCondition: row.mediaCondition,
    sleeveCondition: row.sleeveCondition,
    format: row.format,
    year: row.year,
    label: row.label,
    status: row.status,
    orderId: row.orderId,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

// The same fields as `vinylEventData`, read by SQLite from the row as it is at that point of the batch.
const dataJson = sql`json_object(
  'id', ${vinyls.id}, 'userId', ${vinyls.userId}, 'title', ${vinyls.title}, 'artist', ${vinyls.artist},
  'genre', ${vinyls.genre}, 'priceCents', ${vinyls.priceCents}, 'currency', ${vinyls.currency},
  'description', ${vinyls.description}, 'imageUrl', ${vinyls.imageUrl},
  'mediaCondition', ${vinyls.mediaCondition}, 'sleeveCondition', ${vinyls.sleeveCondition},
  'format', ${vinyls.format}, 'year', ${vinyls.year}, 'label', ${vinyls.label}, 'status', ${vinyls.status},
  'orderId', ${vinyls.orderId}, 'version', ${vinyls.version},
  'createdAt', ${vinyls.createdAt}, 'updatedAt', ${vinyls.updatedAt})`;

/** A condition for `stageVinylEvent`: the statement just before changed a row. */
export const changedRow = sql`changes() = 1`;

/**
 * Outbox rows for a `type` event about vinyl `vinylId`, whose envelope SQLite builds from
 * the row itself. An edit, a withdrawal or a reservation changes a row this request has not
 * read (one D1 round trip per request), so only the database knows the whole listing and
 * its new version; building the event in the same batch also means it can never disagree
 * with the committed row. Written only if `when` holds (see `stageEvents` in the shared outbox).
 */
export function stageVinylEvent(db: Db, type: Extract<EventType, `vinyl_${string}`>, vinylId: string, when: SQL) {
  const eventId = crypto.randomUUID();
  const occurredAt = new Date().toISOString();
  const createdAt = Date.now();
  const body = sql`json_object('id', ${eventId}, 'type', ${type}, 'version', ${vinyls.version},
    'occurredAt', ${occurredAt}, 'source', 'catalog', 'data', ${dataJson})`;
  const statements: Statement[] = ROUTES[type].map((destination) =>
    db
      .insert(outbox)
      // Values in the outbox's column order, which insert … select requires.
      .select(
        sql`select ${eventId}, ${destination}, ${type}, ${body}, ${createdAt} from ${vinyls} where ${vinyls.id} = ${vinylId} and ${when}`,
      ),
  );
  return { eventId, statements };
}

