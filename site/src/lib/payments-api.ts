import { log } from "../../../workers/shared/src/log";
import { apiFailure, callApi, isId, unknownId, type ApiFailure, type Result } from "./api";

/** Where the local Stripe sandbox serves its test checkout page (development and tests only). */
const SANDBOX_CHECKOUT = "/_sandbox/stripe/checkout/";

/**
 * An open checkout for an order, as the storefront may use it: in `sandbox` mode the page
 * to pay on; in `stripe` mode what Stripe.js needs in the browser. The session's client
 * secret is meant for the browser (it initialises Embedded Checkout); the account's secret
 * key never leaves payments.
 */
export type Checkout =
  | { mode: "sandbox"; sessionId: string; payUrl: string }
  | { mode: "stripe"; sessionId: string; clientSecret: string; publishableKey: string };

/** Stripe's Embedded Checkout for a session (`stripe` mode): what the order page mounts. */
export type StripeCheckout = Extract<Checkout, { mode: "stripe" }>;

/** A payment recorded for an order, as `POST /api/payments` answers it. */
export type Payment = { id: string; orderId: string; status: "paid" };

const SESSION_ID = /^cs_[A-Za-z0-9_]{1,250}$/;

/** Whether `id` could be a Checkout Session's id (`cs_test_…`, `cs_live_…`); anything else is just unknown. */
export const isSessionId = (id: string | null | undefined): id is string => typeof id === "string" && SESSION_ID.test(id);

/** Payments' answer to an order its replica knows without an address (yet). */
export const ADDRESS_FIRST = "Add a shipping address before paying";

/**
 * The order reaches payments' replica about a second after it is placed (events travel),
 * and so does its address, so a 404, or a 409 asking for the address the buyer has just
 * given, is asked again for up to about three seconds.
 */
const RETRY_DELAYS_MS = [250, 500, 750, 1000, 500];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const misconfigured = (): ApiFailure => ({
  ok: false,
  status: 503,
  fieldErrors: {},
  errors: ["Payments are not available right now. Your record stays held; please try again in a moment."],
  headers: new Headers(),
});

/** Reads `POST /api/payments/checkout`'s 201 into a `Checkout`, refusing anything unexpected. */
function readCheckout(body: unknown): Checkout | null {
  const { sessionId, clientSecret, mode, publishableKey } = (body ?? {}) as Record<string, unknown>;
  if (typeof sessionId !== "string" || !isSessionId(sessionId)) return null;
  if (mode === "sandbox") return { mode, sessionId, payUrl: `${SANDBOX_CHECKOUT}${encodeURIComponent(sessionId)}` };
  // Only a publishable key may reach the browser: anything else in that field is a fault.
  if (mode === "stripe" && typeof clientSecret === "string" && typeof publishableKey === "string" && publishableKey.startsWith("pk_")) {
    return { mode, sessionId, clientSecret, publishableKey };
  }
  return null;
}

/**
 * `POST /api/payments/checkout`: opens (or returns the still-open) checkout session for the
 * visitor's order. A 404 (or a 409 for want of the address just given) is asked again for a
 * few seconds, as payments hears of a new order and of its address a moment after orders;
 * one still unknown after that is answered as it is.
 */
export async function startCheckout(request: Request, orderId: string): Promise<Result<{ checkout: Checkout }>> {
  if (!isId(orderId)) return unknownId("Order not found");
  let res = await callApi("PAYMENTS", request, "/api/payments/checkout", { method: "POST", json: { orderId } });
  for (const delay of RETRY_DELAYS_MS) {
    if (!res || !(await notYetKnown(res))) break;
    await res.body?.cancel();
    await sleep(delay);
    res = await callApi("PAYMENTS", request, "/api/payments/checkout", { method: "POST", json: { orderId } });
  }
  if (!res?.ok) return apiFailure(res);
  const checkout = readCheckout(await res.json().catch(() => null));
  if (!checkout) {
    log.error("unusable checkout answer", { service: "storefront", orderId, status: res.status });
    return misconfigured();
  }
  return { ok: true, checkout };
}

/** Whether payments answered as it does while the order (or its address) is still on the way to it. */
async function notYetKnown(res: Response): Promise<boolean> {
  if (res.status === 404) return true;
  if (res.status !== 409) return false;
  const body = (await res.clone().json().catch(() => null)) as { errors?: { message?: unknown }[] } | null;
  return body?.errors?.[0]?.message === ADDRESS_FIRST;
}

/**
 * `POST /api/payments`: payments re-reads the order's checkout session from Stripe (or the
 * sandbox) and records the payment if it is paid. `recordedNow` is true for a 201 (this
 * call recorded it), false for a 200 (recorded before). 402 means not paid (yet).
 */
export async function confirmPayment(request: Request, orderId: string): Promise<Result<{ payment: Payment; recordedNow: boolean }>> {
  if (!isId(orderId)) return unknownId("Order not found");
  const res = await callApi("PAYMENTS", request, "/api/payments", { method: "POST", json: { orderId } });
  if (!res?.ok) return apiFailure(res);
  return { ok: true, payment: (await res.json()) as Payment, recordedNow: res.status === 201 };
}

/** What a Pay the payments API refused with 409 tells the buyer. */
export function checkoutRefusal(failure: ApiFailure): string {
  const message = failure.errors.join(" ");
  if (/cancel/i.test(message)) return "This order was cancelled, so it can no longer be paid.";
  if (/paid/i.test(message)) return "This order is already paid. Nothing more to do.";
  if (/expire/i.test(message)) return "The hold on this record has ended, so this order can no longer be paid.";
  return message;
}
