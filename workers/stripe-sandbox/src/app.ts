import { Hono } from "hono";

/**
 * Speaks Stripe's API shapes (and Stripe's own error body), not Oscillation's, so it is a
 * plain Hono app rather than a service app. The Stripe endpoints arrive with payments.
 */
export const app = new Hono<{ Bindings: Env }>();

app.get("/health", (c) => c.json({ status: "ok" }));
app.notFound((c) =>
  c.json({ error: { type: "invalid_request_error", message: `Unrecognized request URL (${c.req.method}: ${c.req.path})` } }, 404),
);
