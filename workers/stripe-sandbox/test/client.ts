import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import Stripe from "stripe";
import { app } from "../src/app";

/** The API version payments pins; the sandbox speaks it. */
export const API_VERSION = "2026-10-28.endive";
export const TEST_KEY = "sk_test_sandbox";
export const BASE = "http://localhost:8787";

export type Delivery = { url: string; signature: string | null; body: string };

/** A webhook endpoint standing in for payments: records each delivery and answers `status`. */
export function webhookEndpoint(status = 200) {
  const deliveries: Delivery[] = [];
  const fetcher = {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      deliveries.push({ url: req.url, signature: req.headers.get("stripe-signature"), body: await req.text() });
      return new Response("{}", { status, headers: { "content-type": "application/json" } });
    },
  } as unknown as Fetcher;
  return { fetcher, deliveries };
}

/**
 * The sandbox app with its webhook endpoint recorded, and the real stripe SDK pointed at it
 * (as payments points it, through a fetch function instead of the network).
 */
export function sandbox(status = 200) {
  const endpoint = webhookEndpoint(status);
  const testEnv: Env = { ...env, PAYMENTS: endpoint.fetcher };
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(input, init), testEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
  const stripe = new Stripe(TEST_KEY, {
    apiVersion: API_VERSION,
    httpClient: Stripe.createFetchHttpClient(fetch),
    host: "stripe-sandbox.test",
    protocol: "http",
    maxNetworkRetries: 0,
  });
  /** A request as a browser or a test sends it, relative to the sandbox's root. */
  const call = (path: string, init?: RequestInit) => fetch(new URL(path, BASE), init);
  const api = (method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}) =>
    call(path, {
      method,
      headers: {
        authorization: `Bearer ${TEST_KEY}`,
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        ...headers,
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
  return { stripe, call, api, deliveries: endpoint.deliveries, env: testEnv };
}

/** The parameters payments sends for an order (see workers/payments/src/checkout-sessions.ts). */
export function sessionParams(overrides: Partial<Stripe.Checkout.SessionCreateParams> = {}): Stripe.Checkout.SessionCreateParams {
  return {
    mode: "payment",
    ui_mode: "embedded_page",
    line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: 2500, product_data: { name: "Kind of Blue" } } }],
    return_url: "http://localhost:8787/orders/complete?session_id={CHECKOUT_SESSION_ID}",
    expires_at: Math.floor(Date.now() / 1000) + 31 * 60,
    metadata: { orderId: crypto.randomUUID() },
    ...overrides,
  };
}

export const cryptoProvider = Stripe.createSubtleCryptoProvider();
export { Stripe };
