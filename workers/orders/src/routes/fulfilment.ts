import { createRoute } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { orders as t } from "../../../../schema/tables/orders";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { commit, publisherFor } from "../../../shared/src/messaging";
import { errorContent, jsonBody, jsonContent } from "../../../shared/src/openapi";
import { requireAuth, requireUser } from "../../../shared/src/session";
import { database } from "../db";
import { deliver, ship } from "../fulfilment-changes";
import { IdParam, orderId, refuseStranger } from "../order-access";
import { ShipmentInput } from "../order-input";
import { Order, selectOrders, toOrderJson, type OrderView } from "../order-json";

/** `POST /api/orders/:id/shipment` and `/delivery`: a paid order on its way to the buyer. */
export const fulfilment = createRouter<ServiceEnv<Env>>();

fulfilment.openapi(
  createRoute({
    method: "post",
    path: "/{id}/shipment",
    summary: "Mark a paid order shipped, with its carrier and tracking number (the seller)",
    middleware: [requireAuth()] as const,
    request: { params: IdParam, ...jsonBody(ShipmentInput) },
    responses: {
      200: jsonContent(Order, "Shipped: fulfilment `shipped`, with the shipment (version + 1)"),
      400: errorContent("Carrier or tracking number missing or over 100 characters"),
      401: errorContent("Not signed in"),
      403: errorContent("Not the order's seller"),
      404: errorContent("No such order"),
      409: errorContent("The order is not waiting to be shipped: not paid, or shipped already"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const input = c.req.valid("json");
    const id = orderId(c.req.valid("param").id);
    const db = database(c.env);
    const [, , changed, [view]] = await commit(
      db,
      [...ship(db, id, { sellerId: user.id, ...input, shippedAt: new Date().toISOString() }), selectOrders(db).where(eq(t.id, id)).limit(1)],
      publisherFor(c.env, c.executionCtx),
    );
    if (changed.length > 0) return c.json(toOrderJson(view!, user.id), 200);
    const { order, fulfilment: state } = refuseStranger(view, user.id, "seller");
    if (order.status !== "complete") throw new ApiError(409, "Only a paid order can be shipped");
    throw new ApiError(409, state.status === "delivered" ? "Order has already been delivered" : "Order has already been shipped");
  },
);

/** Why a delivery cannot be confirmed for an order the buyer may see. */
function notShipped({ order, fulfilment: state }: OrderView) {
  if (state.status === "delivered") return new ApiError(409, "Order is already marked delivered");
  if (order.status !== "complete") return new ApiError(409, "Order is not paid");
  return new ApiError(409, "Order has not been shipped yet");
}

fulfilment.openapi(
  createRoute({
    method: "post",
    path: "/{id}/delivery",
    summary: "Confirm a shipped order arrived (the buyer)",
    description: "Unconfirmed shipments count as delivered 14 days after shipping (`AUTO_DELIVER_DAYS`).",
    middleware: [requireAuth()] as const,
    request: { params: IdParam },
    responses: {
      200: jsonContent(Order, "Delivered: fulfilment `delivered`, with `deliveredAt` (version + 1)"),
      401: errorContent("Not signed in"),
      403: errorContent("Not the order's buyer"),
      404: errorContent("No such order"),
      409: errorContent("The order has not been shipped, or is marked delivered already"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const id = orderId(c.req.valid("param").id);
    const db = database(c.env);
    const [, , changed, [view]] = await commit(
      db,
      [...deliver(db, id, { buyerId: user.id, deliveredAt: new Date().toISOString() }), selectOrders(db).where(eq(t.id, id)).limit(1)],
      publisherFor(c.env, c.executionCtx),
    );
    if (changed.length > 0) return c.json(toOrderJson(view!, user.id), 200);
    throw notShipped(refuseStranger(view, user.id, "buyer"));
  },
);
