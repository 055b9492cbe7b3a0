import { z } from "@hono/zod-openapi";
import { CANCEL_REASONS, ORDER_STATUSES } from "../../../schema/events";
import type { orders } from "../../../schema/tables/orders";

export type OrderRow = typeof orders.$inferSelect;

/** An order as the public API shows it (shared/API.md): the record's snapshot with a decimal `price`. */
export const Order = z
  .object({
    id: z.uuid(),
    userId: z.uuid().openapi({ description: "The buyer" }),
    status: z.enum(ORDER_STATUSES),
    cancelReason: z.enum(CANCEL_REASONS).nullable().openapi({ description: "Set only when cancelled" }),
    expiresAt: z.iso.datetime().openapi({ description: "When the hold ends unless paid" }),
    vinyl: z.object({
      id: z.uuid(),
      title: z.string(),
      price: z.number().openapi({ example: 19.99, description: "Decimal, at most two places" }),
      currency: z.string().openapi({ example: "USD" }),
    }),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
  })
  .openapi("Order");

export type OrderJson = z.infer<typeof Order>;

export function toOrderJson(row: OrderRow): OrderJson {
  return {
    id: row.id,
    userId: row.userId,
    status: row.status,
    cancelReason: row.cancelReason,
    expiresAt: row.expiresAt,
    // Integer cents to the API's decimal: `1999 / 100` is exactly the double nearest 19.99.
    vinyl: { id: row.vinylId, title: row.vinylTitle, price: row.priceCents / 100, currency: row.currency },
    version: row.version,
    createdAt: row.createdAt,
  };
}
