import type { Context } from "hono";
import { notFound } from "./errors";

/** Where the local Stripe stand-in answers on the public origin (development and tests only). */
export const SANDBOX_PREFIX = "/_sandbox/stripe";

/**
 * Hands `/_sandbox/stripe/*` to the stripe-sandbox Worker with the prefix removed, so its
 * routes read like Stripe's (`/v1/checkout/sessions`). Where the sandbox does not run (real
 * Stripe keys, or deployed, where the binding is stripped) the path is simply not found.
 */
export async function stripeSandbox(c: Context<{ Bindings: Env }>) {
  const sandbox = c.env.STRIPE_SANDBOX as Fetcher | undefined;
  if (!sandbox) return notFound(c);
  const url = new URL(c.req.url);
  url.pathname = url.pathname.slice(SANDBOX_PREFIX.length) || "/";
  try {
    return await sandbox.fetch(new Request(url, c.req.raw));
  } catch {
    return notFound(c);
  }
}
