import { z } from "@hono/zod-openapi";
import { GENRES, MEDIA_GRADES, SLEEVE_GRADES, VINYL_STATUSES } from "../../../schema/events";
import type { vinyls } from "../../../schema/tables/catalog";
import { fromCents } from "./money";
import { vinylEventData } from "./vinyl-events";

export type VinylRow = typeof vinyls.$inferSelect;

/** A listing as the public API shows it (shared/API.md): a decimal `price`, no storage details. */
export const Vinyl = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    title: z.string(),
    artist: z.string().nullable(),
    genre: z.enum(GENRES),
    price: z.number().openapi({ example: 19.99, description: "Decimal, at most two places" }),
    currency: z.string().openapi({ example: "USD" }),
    description: z.string().nullable(),
    imageUrl: z.string().nullable().openapi({ example: "/images/<sha256>.jpg" }),
    mediaCondition: z.enum(MEDIA_GRADES).nullable(),
    sleeveCondition: z.enum(SLEEVE_GRADES).nullable(),
    format: z.string().nullable(),
    year: z.number().int().nullable(),
    label: z.string().nullable(),
    shipsFrom: z.string().openapi({ example: "US", description: "ISO 3166-1 alpha-2 country the record ships from" }),
    shippingDomestic: z.number().openapi({ example: 5, description: "Shipping within `shipsFrom`'s country, decimal" }),
    shippingInternational: z
      .number()
      .nullable()
      .openapi({ example: 15, description: "Shipping to any other country, decimal; `null`: does not ship abroad" }),
    seller: z
      .object({
        username: z.string().openapi({ example: "demo-seller" }),
        displayName: z.string().nullable().openapi({ example: "Spin Cycle Records" }),
      })
      .nullable()
      .openapi({ description: "The seller's public name (`/sellers/:username`); `null` only until their profile reaches the catalog" }),
    status: z.enum(VINYL_STATUSES),
    orderId: z.uuid().nullable().openapi({ description: "Set while reserved or sold" }),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Vinyl");

export type VinylJson = z.infer<typeof Vinyl>;

/** The API's shape: the event's listing with the price in decimal units. */
export function toVinylJson(row: VinylRow): VinylJson {
  const { priceCents, shippingDomesticCents, shippingInternationalCents, ...listing } = vinylEventData(row);
  return {
    ...listing,
    price: fromCents(priceCents),
    shippingDomestic: fromCents(shippingDomesticCents!),
    shippingInternational: shippingInternationalCents == null ? null : fromCents(shippingInternationalCents),
    seller: row.sellerUsername === null ? null : { username: row.sellerUsername, displayName: row.sellerDisplayName },
  } as VinylJson;
}
