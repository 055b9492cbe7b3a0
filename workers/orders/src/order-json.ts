import { z } from "@hono/zod-openapi";
import { eq, sql, type SQL } from "drizzle-orm";
import { alias, type SQLiteColumn } from "drizzle-orm/sqlite-core";
import { CANCEL_REASONS, FEEDBACK_RATINGS, FULFILMENT_STATUSES, ORDER_STATUSES } from "../../../schema/vocabulary";
import { feedback, fulfilments, orders, profiles, shippingAddresses } from "../../../schema/tables/orders";
import type { Database } from "./db";

export type OrderRow = typeof orders.$inferSelect;

const money = (description: string) => z.number().openapi({ example: 5, description: `${description}; decimal, at most two places` });

/** A public name: a user's `username` and display name, from auth's profile events. */
export const PublicName = z
  .object({ username: z.string().openapi({ example: "crate-digger" }), displayName: z.string().nullable() })
  .openapi("PublicName");

export const ShippingAddress = z
  .object({
    name: z.string(),
    line1: z.string(),
    line2: z.string().nullable(),
    city: z.string(),
    region: z.string().nullable(),
    postalCode: z.string(),
    country: z.string().openapi({ example: "DE", description: "ISO 3166-1 alpha-2" }),
  })
  .openapi("ShippingAddress");

export const Feedback = z
  .object({
    rating: z.enum(FEEDBACK_RATINGS),
    comment: z.string().nullable(),
    createdAt: z.iso.datetime(),
    reply: z.string().nullable().openapi({ description: "The seller's reply, once" }),
    repliedAt: z.iso.datetime().nullable(),
  })
  .openapi("Feedback");

/** An order as the public API shows it (shared/API.md): the record's snapshot with a decimal `price`. */
export const Order = z
  .object({
    id: z.uuid(),
    userId: z.uuid().openapi({ description: "The buyer" }),
    sellerId: z.uuid(),
    seller: PublicName.nullable().openapi({ description: "`null` until the seller's profile reached orders" }),
    buyer: PublicName.nullable().openapi({ description: "`null` until the buyer's profile reached orders" }),
    status: z.enum(ORDER_STATUSES),
    cancelReason: z.enum(CANCEL_REASONS).nullable().openapi({ description: "Set only when cancelled" }),
    expiresAt: z.iso.datetime().openapi({ description: "When the hold ends unless paid" }),
    vinyl: z.object({
      id: z.uuid(),
      title: z.string(),
      price: z.number().openapi({ example: 19.99, description: "Decimal, at most two places" }),
      currency: z.string().openapi({ example: "USD" }),
    }),
    shipping: money("Shipping to the address given").nullable().openapi({ description: "`null` until the buyer gives an address" }),
    total: money("Price plus shipping: what checkout charges").nullable().openapi({ description: "`null` until the buyer gives an address" }),
    shippingAddress: ShippingAddress.nullable().openapi({
      description: "Only in answers to the order's buyer, and to its seller once the order is paid; `null` otherwise",
    }),
    fulfilment: z.enum(FULFILMENT_STATUSES).nullable().openapi({ description: "`null` until paid" }),
    paidAt: z.iso.datetime().nullable(),
    shipment: z
      .object({ carrier: z.string(), trackingNumber: z.string(), shippedAt: z.iso.datetime() })
      .nullable()
      .openapi({ description: "Set when the seller ships the order" }),
    deliveredAt: z.iso.datetime().nullable(),
    feedback: Feedback.nullable(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
  })
  .openapi("Order");

export type OrderJson = z.infer<typeof Order>;

const sellerProfile = alias(profiles, "seller_profile");
const buyerProfile = alias(profiles, "buyer_profile");

// Every column of the joined tables gets a name of its own: D1 answers rows as objects keyed
// by column name when its cost is counted (shared/src/d1-count.ts), so two `order_id`s would merge.
const as = <T>(column: SQLiteColumn | SQL, name: string) => sql<T>`${column}`.as(name);

/** An order with everything its JSON shows, in one statement. */
export function selectOrders(db: Database) {
  return db
    .select({
      order: orders,
      address: {
        name: as<string | null>(shippingAddresses.name, "address_name"),
        line1: as<string | null>(shippingAddresses.line1, "address_line1"),
        line2: as<string | null>(shippingAddresses.line2, "address_line2"),
        city: as<string | null>(shippingAddresses.city, "address_city"),
        region: as<string | null>(shippingAddresses.region, "address_region"),
        postalCode: as<string | null>(shippingAddresses.postalCode, "address_postal_code"),
        country: as<string | null>(shippingAddresses.country, "address_country"),
        shippingCents: as<number | null>(shippingAddresses.shippingCents, "address_shipping_cents"),
        totalCents: as<number | null>(shippingAddresses.totalCents, "address_total_cents"),
      },
      fulfilment: {
        status: as<(typeof FULFILMENT_STATUSES)[number] | null>(fulfilments.status, "fulfilment_status"),
        paidAt: as<string | null>(fulfilments.paidAt, "fulfilment_paid_at"),
        carrier: as<string | null>(fulfilments.carrier, "fulfilment_carrier"),
        trackingNumber: as<string | null>(fulfilments.trackingNumber, "fulfilment_tracking_number"),
        shippedAt: as<string | null>(fulfilments.shippedAt, "fulfilment_shipped_at"),
        deliveredAt: as<string | null>(fulfilments.deliveredAt, "fulfilment_delivered_at"),
      },
      feedback: {
        rating: as<(typeof FEEDBACK_RATINGS)[number] | null>(feedback.rating, "feedback_rating"),
        comment: as<string | null>(feedback.comment, "feedback_comment"),
        createdAt: as<string | null>(feedback.createdAt, "feedback_created_at"),
        reply: as<string | null>(feedback.reply, "feedback_reply"),
        repliedAt: as<string | null>(feedback.repliedAt, "feedback_replied_at"),
      },
      seller: {
        username: as<string | null>(sellerProfile.username, "seller_username"),
        displayName: as<string | null>(sellerProfile.displayName, "seller_display_name"),
      },
      buyer: {
        username: as<string | null>(buyerProfile.username, "buyer_username"),
        displayName: as<string | null>(buyerProfile.displayName, "buyer_display_name"),
      },
    })
    .from(orders)
    .leftJoin(shippingAddresses, eq(shippingAddresses.orderId, orders.id))
    .leftJoin(fulfilments, eq(fulfilments.orderId, orders.id))
    .leftJoin(feedback, eq(feedback.orderId, orders.id))
    .leftJoin(sellerProfile, eq(sellerProfile.userId, orders.sellerId))
    .leftJoin(buyerProfile, eq(buyerProfile.userId, orders.userId));
}

export type OrderView = Awaited<ReturnType<ReturnType<typeof selectOrders>["all"]>>[number];

/** The order `where` picks, with everything its JSON shows, or undefined. */
export async function findOrder(db: Database, where: SQL): Promise<OrderView | undefined> {
  const [view] = await selectOrders(db).where(where).limit(1);
  return view;
}

const name = (p: { username: string | null; displayName: string | null }) => (p.username ? { username: p.username, displayName: p.displayName } : null);

/**
 * Whether `viewerId` may read the order's shipping address: its buyer always, its seller once
 * the order is paid (an address given for an order never paid is nobody else's business).
 */
export const maySeeAddress = (order: OrderRow, viewerId: string) =>
  order.userId === viewerId || (order.sellerId === viewerId && order.status === "complete");

/** The order as `viewerId` (its buyer or its seller) may see it. */
export function toOrderJson({ order, address, fulfilment, feedback: given, seller, buyer }: OrderView, viewerId: string): OrderJson {
  const hasAddress = address.totalCents !== null;
  return {
    id: order.id,
    userId: order.userId,
    sellerId: order.sellerId,
    seller: name(seller),
    buyer: name(buyer),
    status: order.status,
    cancelReason: order.cancelReason,
    expiresAt: order.expiresAt,
    // Integer cents to the API's decimal: `1999 / 100` is exactly the double nearest 19.99.
    vinyl: { id: order.vinylId, title: order.vinylTitle, price: order.priceCents / 100, currency: order.currency },
    shipping: hasAddress ? address.shippingCents! / 100 : null,
    total: hasAddress ? address.totalCents! / 100 : null,
    shippingAddress:
      hasAddress && maySeeAddress(order, viewerId)
        ? {
            name: address.name!,
            line1: address.line1!,
            line2: address.line2,
            city: address.city!,
            region: address.region,
            postalCode: address.postalCode!,
            country: address.country!,
          }
        : null,
    fulfilment: fulfilment.status,
    paidAt: fulfilment.paidAt,
    shipment:
      fulfilment.shippedAt !== null
        ? { carrier: fulfilment.carrier!, trackingNumber: fulfilment.trackingNumber!, shippedAt: fulfilment.shippedAt }
        : null,
    deliveredAt: fulfilment.deliveredAt,
    feedback:
      given.rating !== null
        ? { rating: given.rating, comment: given.comment, createdAt: given.createdAt!, reply: given.reply, repliedAt: given.repliedAt }
        : null,
    version: order.version,
    createdAt: order.createdAt,
  };
}
