import type { CANCEL_REASONS, ORDER_STATUSES } from "../../../schema/vocabulary";
import { apiFailure, callApi, isId, unknownId, type Result } from "./api";

export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** An order as `/api/orders` answers it (shared/API.md): the record as it was when ordered. */
export type Order = {
  id: string;
  userId: string;
  status: OrderStatus;
  cancelReason: CancelReason | null;
  expiresAt: string;
  vinyl: { id: string; title: string; price: number; currency: string };
  version: number;
  createdAt: string;
};

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
