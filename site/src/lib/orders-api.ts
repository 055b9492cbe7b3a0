import type { CANCEL_REASONS, FEEDBACK_RATINGS, FULFILMENT_STATUSES, ORDER_STATUSES } from "../../../schema/vocabulary";
import { apiFailure, callApi, isId, unknownId, type Result } from "./api";

export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type CancelReason = (typeof CANCEL_REASONS)[number];

export type Fulfilment = (typeof FULFILMENT_STATUSES)[number];
export type FeedbackRating = (typeof FEEDBACK_RATINGS)[number];

/** A user as others see them: their username and display name. */
export type PublicName = { username: string; displayName: string | null };

export type ShippingAddress = {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
};

export type Feedback = { rating: FeedbackRating; comment: string | null; createdAt: string; reply: string | null; repliedAt: string | null };

/** An order as `/api/orders` answers it (shared/API.md): the record as it was when ordered. */
export type Order = {
  id: string;
  userId: string;
  sellerId: string;
  seller: PublicName | null;
  buyer: PublicName | null;
  status: OrderStatus;
  cancelReason: CancelReason | null;
  expiresAt: string;
  vinyl: { id: string; title: string; price: number; currency: string };
  /** `null` until the buyer gave an address. */
  shipping: number | null;
  total: number | null;
  /** Only for the buyer, and for the seller once paid. */
  shippingAddress: ShippingAddress | null;
  fulfilment: Fulfilment | null;
  paidAt: string | null;
  shipment: { carrier: string; trackingNumber: string; shippedAt: string } | null;
  deliveredAt: string | null;
  feedback: Feedback | null;
  version: number;
  createdAt: string;
};

/** The address form's fields, as the API names them. */
export const ADDRESS_FIELDS = ["name", "line1", "line2", "city", "region", "postalCode", "country"] as const;
export type AddressValues = Record<(typeof ADDRESS_FIELDS)[number], string>;

/** Whether `id` could name an order at all; anything else is simply unknown. */
export const isOrderId = isId;

const orderPath = (id: string) => `/api/orders/${encodeURIComponent(id)}`;

/**
 * `POST /api/orders`: reserves the record for the visitor. `created` is false when the
 * visitor already held a live order for it (a 200 with that order). A 404 means the
 * orders service has not heard of the record, which happens for a moment after listing.
 */
export async function placeOrder(request: Request, vinylId: string): Promise<Result<{ order: Order; created: boolean }>> {
  if (!isId(vinylId)) return unknownId("Vinyl not found");
  const res = await callApi("ORDERS", request, "/api/orders", { method: "POST", json: { vinylId } });
  if (!res?.ok) return apiFailure(res);
  return { ok: true, order: (await res.json()) as Order, created: res.status === 201 };
}

/** `GET /api/orders`: the visitor's orders, newest first (the API answers oldest first). */
export async function myOrders(request: Request): Promise<Result<{ orders: Order[] }>> {
  const res = await callApi("ORDERS", request, "/api/orders");
  if (!res?.ok) return apiFailure(res);
  return { ok: true, orders: ((await res.json()) as Order[]).reverse() };
}

/** `GET /api/orders/:id`: one of the visitor's orders; a malformed id is answered 404 without asking. */
export async function getOrder(request: Request, id: string | undefined): Promise<Result<{ order: Order }>> {
  if (!isOrderId(id)) return unknownId("Order not found");
  const res = await callApi("ORDERS", request, orderPath(id));
  if (!res?.ok) return apiFailure(res);
  return { ok: true, order: (await res.json()) as Order };
}

/** `DELETE /api/orders/:id`: cancels an unpaid order (reason `buyer`); an already cancelled one is fine too. */
export async function cancelOrder(request: Request, id: string | undefined): Promise<Result<object>> {
  if (!isOrderId(id)) return unknownId("Order not found");
  const res = await callApi("ORDERS", request, orderPath(id), { method: "DELETE" });
  if (!res?.ok) return apiFailure(res);
  await res.body?.cancel();
  return { ok: true };
}

/** `PUT /api/orders/:id/shipping-address`: the buyer's address; the order comes back with its shipping and total. */
export async function setShippingAddress(request: Request, id: string | undefined, values: AddressValues): Promise<Result<{ order: Order }>> {
  if (!isOrderId(id)) return unknownId("Order not found");
  const res = await callApi("ORDERS", request, `${orderPath(id)}/shipping-address`, { method: "PUT", json: values });
  if (!res?.ok) return apiFailure(res, ADDRESS_FIELDS);
  return { ok: true, order: (await res.json()) as Order };
}

/** `POST /api/orders/:id/delivery`: the buyer says the record arrived. */
export async function confirmDelivery(request: Request, id: string | undefined): Promise<Result<{ order: Order }>> {
  if (!isOrderId(id)) return unknownId("Order not found");
  const res = await callApi("ORDERS", request, `${orderPath(id)}/delivery`, { method: "POST" });
  if (!res?.ok) return apiFailure(res);
  return { ok: true, order: (await res.json()) as Order };
}

export const FEEDBACK_FIELDS = ["rating", "comment"] as const;

/** `POST /api/orders/:id/feedback`: the buyer's rating and comment, once. */
export async function leaveFeedback(
  request: Request,
  id: string | undefined,
  values: { rating: string | undefined; comment: string },
): Promise<Result<{ order: Order }>> {
  if (!isOrderId(id)) return unknownId("Order not found");
  const res = await callApi("ORDERS", request, `${orderPath(id)}/feedback`, { method: "POST", json: values });
  if (!res?.ok) return apiFailure(res, FEEDBACK_FIELDS);
  return { ok: true, order: (await res.json()) as Order };
}

/** `GET /api/orders/sales`: what the visitor sold, to ship first. */
export async function mySales(request: Request): Promise<Result<{ sales: Order[] }>> {
  const res = await callApi("ORDERS", request, "/api/orders/sales");
  if (!res?.ok) return apiFailure(res);
  return { ok: true, sales: (await res.json()) as Order[] };
}

export const SHIPMENT_FIELDS = ["carrier", "trackingNumber"] as const;

/** `POST /api/orders/:id/shipment`: the seller sent it, with this carrier and tracking number. */
export async function shipOrder(request: Request, id: string | undefined, values: { carrier: string; trackingNumber: string }): Promise<Result<{ order: Order }>> {
  if (!isOrderId(id)) return unknownId("Order not found");
  const res = await callApi("ORDERS", request, `${orderPath(id)}/shipment`, { method: "POST", json: values });
  if (!res?.ok) return apiFailure(res, SHIPMENT_FIELDS);
  return { ok: true, order: (await res.json()) as Order };
}

/** `POST /api/orders/:id/feedback/reply`: the seller's answer to the buyer's feedback, once. */
export async function replyToFeedback(request: Request, id: string | undefined, reply: string): Promise<Result<{ order: Order }>> {
  if (!isOrderId(id)) return unknownId("Order not found");
  const res = await callApi("ORDERS", request, `${orderPath(id)}/feedback/reply`, { method: "POST", json: { reply } });
  if (!res?.ok) return apiFailure(res, ["reply"]);
  return { ok: true, order: (await res.json()) as Order };
}
