import type { CancelReason, FeedbackRating, Order, OrderStatus, ShippingAddress } from "./orders-api";

/**
 * What an order's state is called: its status, for a cancelled order why it ended, and for
 * a paid one how far it got on its way (`complete` is paid and waiting to be shipped).
 */
export type OrderState = Exclude<OrderStatus, "cancelled"> | "shipped" | "delivered" | `cancelled:${CancelReason}`;

export function orderState(order: Pick<Order, "status" | "cancelReason"> & Partial<Pick<Order, "fulfilment">>): OrderState {
  if (order.status === "cancelled") return `cancelled:${order.cancelReason ?? "buyer"}`;
  if (order.status === "complete" && (order.fulfilment === "shipped" || order.fulfilment === "delivered")) return order.fulfilment;
  return order.status;
}

export const ORDER_STATE_NAMES: Record<OrderState, string> = {
  created: "Reserved for you",
  awaiting_payment: "Awaiting payment",
  complete: "Paid",
  shipped: "Shipped",
  delivered: "Delivered",
  "cancelled:buyer": "Cancelled",
  "cancelled:expired": "Hold expired",
  "cancelled:unavailable": "No longer available",
};

/** What the order's state means for its buyer. */
export const ORDER_STATE_EXPLANATIONS: Record<OrderState, string> = {
  created: "The record is held for you until the time below runs out. Nobody else can buy it meanwhile.",
  awaiting_payment: "Your payment has started. The record stays held for you until the time below runs out.",
  complete: "Paid. The record is yours: the seller will send it on its way.",
  shipped: "The seller sent the record. Tell the seller when it arrives.",
  delivered: "Delivered. Enjoy the record!",
  "cancelled:buyer": "You cancelled this order. The record went back on sale.",
  "cancelled:expired": "The hold ran out before the order was paid, so the record went back on sale.",
  "cancelled:unavailable": "The seller withdrew the record before it was paid for, so this order ended.",
};

/** A live, unpaid order: it holds its record until `expiresAt`, and its buyer may pay or cancel it. */
export const isHolding = (order: Pick<Order, "status">): boolean =>
  order.status === "created" || order.status === "awaiting_payment";

/** Whole seconds left until `expiresAt` (rounded up, so 0 only once it has passed); 0 for a bad date. */
export function secondsLeft(expiresAt: string, now: number = Date.now()): number {
  const end = Date.parse(expiresAt);
  return Number.isNaN(end) ? 0 : Math.max(0, Math.ceil((end - now) / 1000));
}

const two = (n: number) => String(n).padStart(2, "0");

/** `872` → "14:32" (minutes keep counting past 59, so a long hold reads "90:00"). */
export const clock = (seconds: number): string => `${two(Math.floor(seconds / 60))}:${two(seconds % 60)}`;

/** `872` → "PT14M32S", the duration form of a `<time datetime>`. */
export const isoDuration = (seconds: number): string => `PT${Math.floor(seconds / 60)}M${seconds % 60}S`;

let dateTimeFormat: Intl.DateTimeFormat | undefined;

/** A moment such as "24 Nov 2026, 14:05 UTC" (the server cannot know the visitor's time zone). */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // Built on first use and kept: constructing an Intl formatter costs far more than formatting.
  dateTimeFormat ??= new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: "UTC",
  });
  const text = dateTimeFormat.format(date);
  return `${text} UTC`;
}

/** When a shipment counts as delivered if its buyer never says so (`AUTO_DELIVER_DAYS` after shipping). */
export function autoDeliveryDate(shippedAt: string, days: number): string {
  return new Date(Date.parse(shippedAt) + days * 24 * 60 * 60 * 1000).toISOString();
}

/** An address as lines for a label: name, street, town with postcode and region, country. */
export function addressLines(address: ShippingAddress, countryName: (code: string) => string): string[] {
  const town = [address.postalCode, address.city].filter(Boolean).join(" ");
  return [address.name, address.line1, address.line2, [town, address.region].filter(Boolean).join(", "), countryName(address.country)].filter(
    (line): line is string => Boolean(line),
  );
}

export const RATING_NAMES: Record<FeedbackRating, string> = { positive: "Positive", neutral: "Neutral", negative: "Negative" };
