import { createRoute } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { orders as t, shippingAddresses as a, vinyls as v } from "../../../../schema/tables/orders";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { commit, publisherFor } from "../../../shared/src/messaging";
import { errorContent, jsonBody, jsonContent } from "../../../shared/src/openapi";
import { requireAuth, requireUser } from "../../../shared/src/session";
import { database, UNPAID } from "../db";
import { IdParam, orderId, orderNotFound } from "../order-access";
import { moveTo, stageOrderEvent } from "../order-events";
import { countryName, ShippingAddressInput } from "../order-input";
import { Order, selectOrders, toOrderJson } from "../order-json";

/** `PUT /api/orders/:id/shipping-address`: where an unpaid order goes, and what that costs. */
export const shippingAddress = createRouter<ServiceEnv<Env>>();

/** Why an order that is not unpaid takes no address. */
const notUnpaid = (status: string) =>
  new ApiError(409, status === "cancelled" ? "Order is cancelled" : "Order is already paid; its shipping address can no longer change");

shippingAddress.openapi(
  createRoute({
    method: "put",
    path: "/{id}/shipping-address",
    summary: "Give or change an unpaid order's shipping address; the order then has its shipping and total",
    description:
      "Shipping is the listing's domestic price when the address is in the country the record ships from, else its " +
      "international price; a listing that does not ship abroad refuses other countries (409). A change while a checkout " +
      "is open changes the total: payments expires that checkout and the next Pay charges the new total. The address is " +
      "shown only to the buyer, and to the seller once paid; no event carries it.",
    middleware: [requireAuth()] as const,
    request: { params: IdParam, ...jsonBody(ShippingAddressInput) },
    responses: {
      200: jsonContent(Order, "The order with its address, shipping and total (version + 1)"),
      400: errorContent("A field is missing or invalid (one entry per field)"),
      401: errorContent("Not signed in"),
      403: errorContent("Not the order's buyer"),
      404: errorContent("No such order"),
      409: errorContent("The order is paid or cancelled, or `The seller does not ship to <country>`"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const input = c.req.valid("json");
    const id = orderId(c.req.valid("param").id);
    const db = database(c.env);
    // What shipping costs comes from the listing as orders knows it; the record is held by
    // this order, so catalog lets nobody change it meanwhile.
    const [found] = await db
      .select({
        userId: t.userId,
        status: t.status,
        priceCents: t.priceCents,
        shipsFrom: v.shipsFrom,
        domestic: v.shippingDomesticCents,
        international: v.shippingInternationalCents,
      })
      .from(t)
      .leftJoin(v, eq(v.id, t.vinylId))
      .where(eq(t.id, id))
      .limit(1);
    if (!found) throw orderNotFound();
    if (found.userId !== user.id) throw new ApiError(403, "Only the buyer can give the shipping address");
    if (found.status !== "created" && found.status !== "awaiting_payment") throw notUnpaid(found.status);
    if (found.shipsFrom === null || found.domestic === null) throw new Error(`order ${id} has no listing in the replica`);
    const shippingCents = input.country === found.shipsFrom ? found.domestic : found.international;
    if (shippingCents === null) throw new ApiError(409, `The seller does not ship to ${countryName(input.country)}`);
    const totalCents = found.priceCents + shippingCents;

    // The address, the event (which reads the costs just written, never the address) and the
    // version, all guarded by the same condition: a payment or a cancel that got in first
    // leaves all three undone.
    const unpaidAndMine = and(eq(t.id, id), eq(t.userId, user.id), UNPAID)!;
    const now = new Date().toISOString();
    const [, , changed, [view]] = await commit(
      db,
      [
        db
          .insert(a)
          .select(
            // Values in the table's column order, which insert … select requires.
            sql`select ${id}, ${input.name}, ${input.line1}, ${input.line2}, ${input.city}, ${input.region}, ${input.postalCode},
              ${input.country}, ${shippingCents}, ${totalCents}, ${now} from ${t} where ${unpaidAndMine}`,
          )
          .onConflictDoUpdate({
            target: a.orderId,
            set: {
              name: sql`excluded.name`,
              line1: sql`excluded.line1`,
              line2: sql`excluded.line2`,
              city: sql`excluded.city`,
              region: sql`excluded.region`,
              postalCode: sql`excluded.postal_code`,
              country: sql`excluded.country`,
              shippingCents: sql`excluded.shipping_cents`,
              totalCents: sql`excluded.total_cents`,
              updatedAt: sql`excluded.updated_at`,
            },
          }),
        stageOrderEvent(db, "order_updated", unpaidAndMine, {}),
        db.update(t).set(moveTo()).where(unpaidAndMine).returning({ id: t.id }),
        selectOrders(db).where(eq(t.id, id)).limit(1),
      ],
      publisherFor(c.env, c.executionCtx),
    );
    if (changed.length === 0) throw notUnpaid(view?.order.status ?? "cancelled");
    return c.json(toOrderJson(view!, user.id), 200);
  },
);
