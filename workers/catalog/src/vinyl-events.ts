import { sql, type SQL } from "drizzle-orm";
import type { z } from "zod";
import type { EventType, vinylData } from "../../../schema/events";
import { vinyls } from "../../../schema/tables/catalog";
import { stageFromRow, type Db } from "../../shared/src/messaging";
import type { VinylRow } from "./vinyl-json";

/** The listing as `vinyl_created` / `vinyl_updated` carry it (schema/events.ts `vinylData`). */
export function vinylEventData(row: Omit<VinylRow, "seq" | "mediaRank" | "sellerUsername" | "sellerDisplayName">): z.input<typeof vinylData> {
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
    shipsFrom: row.shipsFrom,
    shippingDomesticCents: row.shippingDomesticCents,
    shippingInternationalCents: row.shippingInternationalCents,
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
  'format', ${vinyls.format}, 'year', ${vinyls.year}, 'label', ${vinyls.label},
  'shipsFrom', ${vinyls.shipsFrom}, 'shippingDomesticCents', ${vinyls.shippingDomesticCents},
  'shippingInternationalCents', ${vinyls.shippingInternationalCents}, 'status', ${vinyls.status},
  'orderId', ${vinyls.orderId}, 'version', ${vinyls.version},
  'createdAt', ${vinyls.createdAt}, 'updatedAt', ${vinyls.updatedAt})`;

/** A condition for `stageVinylEvent`: the statement just before changed a row. */
export const changedRow = sql`changes() = 1`;

/**
 * The `type` event about vinyl `vinylId`, staged from the row as the batch leaves it. An
 * edit or a withdrawal changes a row the request has not read (one D1 round trip per
 * request), so only the database knows the whole listing and its new version. Staged right
 * after the change, and only if `when` holds there.
 */
export function stageVinylEvent(db: Db, type: Extract<EventType, `vinyl_${string}`>, vinylId: string, when: SQL = changedRow) {
  return stageFromRow(db, type, {
    source: "catalog",
    from: vinyls,
    where: sql`${vinyls.id} = ${vinylId} and ${when}`,
    data: dataJson,
    version: sql`${vinyls.version}`,
  });
}
