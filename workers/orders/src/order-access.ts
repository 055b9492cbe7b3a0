import { z } from "@hono/zod-openapi";
import { ApiError } from "../../shared/src/errors";
import type { OrderView } from "./order-json";

// Ids are lower-case random UUIDs; anything else is simply unknown (404), not invalid.
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// A constant: workerd forbids generating random values at module load.
export const EXAMPLE_ID = "3f1c2a9e-7b4d-4e8a-9c61-5d2f0b8e4a17";

export const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: EXAMPLE_ID }) });

export const orderNotFound = () => new ApiError(404, "Order not found");

/** 404 for an id that cannot name an order, before anything is read. */
export function orderId(id: string): string {
  if (!UUID.test(id)) throw orderNotFound();
  return id;
}

/**
 * After a guarded change that changed nothing: 404 if the order does not exist, 403 if the
 * caller is not the one `role` names; the caller then explains the 409 from the view.
 */
export function refuseStranger(view: OrderView | undefined, userId: string, role: "buyer" | "seller"): OrderView {
  if (!view) throw orderNotFound();
  const owner = role === "buyer" ? view.order.userId : view.order.sellerId;
  if (owner !== userId) {
    throw new ApiError(403, role === "buyer" ? "Only the buyer can do this" : "Only the seller can do this");
  }
  return view;
}
