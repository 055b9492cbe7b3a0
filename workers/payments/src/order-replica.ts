import { eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { orderData } from "../../../schema/events";
import { orders } from "../../../schema/tables/payments";
import type { Database } from "./db";

export type OrderRow = typeof orders.$inferSelect;

// Ids are lower-case random UUIDs; anything else is simply unknown (404), not invalid.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The replica takes an order event only when its version is newer than the one held. */
export function upsertOrder(db: Database, order: z.infer<typeof orderData>) {
  const row: OrderRow = {
    id: order.id,
    userId: order.userId,
    status: order.status,
    cancelReason: order.cancelReason,
    expiresAt: order.expiresAt,
    title: order.vinyl.title,
    priceCents: order.vinyl.priceCents,
    currency: order.vinyl.currency,
    version: order.version,
    shippingCents: order.shippingCents,
    totalCents: order.totalCents,
  };
  return db
    .insert(orders)
    .values(row)
    .onConflictDoUpdate({
      target: orders.id,
      set: {
        userId: sql`excluded.user_id`,
        status: sql`excluded.status`,
        cancelReason: sql`excluded.cancel_reason`,
        expiresAt: sql`excluded.expires_at`,
        title: sql`excluded.title`,
        priceCents: sql`excluded.price_cents`,
        currency: sql`excluded.currency`,
        version: sql`excluded.version`,
        shippingCents: sql`excluded.shipping_cents`,
        totalCents: sql`excluded.total_cents`,
      },
      setWhere: sql`excluded.version > ${orders.version}`,
    });
}

export async function findOrder(db: Database, id: string): Promise<OrderRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const [row] = await db.select().from(orders).where(eq(orders.id, id)).limit(1);
  return row;
}

/** SQL that holds while the replica says order `orderId` is cancelled, for conditions inside a batch. */
export const orderCancelled = (orderId: string) =>
  sql`exists (select 1 from ${orders} where ${orders.id} = ${orderId} and ${orders.status} = 'cancelled')`;
