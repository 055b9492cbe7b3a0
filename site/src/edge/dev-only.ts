import type { Context } from "hono";
import { notFound } from "./errors";

/** Where the local Stripe stand-in answers on the public origin (development and tests only). */
export const SANDBOX_PREFIX = "/_sandbox/stripe";
/** Where the local cron clock wakes the Workers' scheduled handlers (development and tests only). */
export const DEV_CRON_PREFIX = "/_dev/cron";

/**
 * Hands `<prefix>/*` to a development-only Worker with the prefix removed, so its routes
 * read as its own (the sandbox's like Stripe's: `/v1/checkout/sessions`). Where that Worker
 * does not run (deployed, where `npm run deploy` strips the binding; the sandbox also with
 * real Stripe keys) the path is simply not found.
 */
export function devOnly(prefix: string, binding: "STRIPE_SANDBOX" | "DEV_CRON") {
  return async (c: Context<{ Bindings: Env }>) => {
    const worker = c.env[binding] as Fetcher | undefined;
    if (!worker) return notFound(c);
    const url = new URL(c.req.url);
    url.pathname = url.pathname.slice(prefix.length) || "/";
    try {
      return await worker.fetch(new Request(url, c.req.raw));
    } catch {
      return notFound(c);
    }
  };
}
