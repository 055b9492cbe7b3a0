import { Hono, type MiddlewareHandler } from "hono";
import { describeError } from "../../shared/src/errors";
import { log, setLogLevel } from "../../shared/src/log";
import type { SandboxBindings } from "./bindings";
import { database } from "./db";
import { invalidRequest, StripeError, stripeErrorResponse } from "./errors";
import { idempotency } from "./idempotency";
import { checkoutPage } from "./routes/checkout-page";
import { checkoutSessions } from "./routes/checkout-sessions";
import { debug } from "./routes/debug";
import { paymentIntentsRoutes } from "./routes/payment-intents";
import { refundsRoutes } from "./routes/refunds";
import { testHelpers } from "./routes/test-helpers";
import { requests } from "./schema";

export type SandboxEnv = { Bindings: SandboxBindings };

/**
 * Stripe's API keys are `sk_test_…` / `sk_live_…`; the sandbox is one test account and takes
 * any test key, refusing others as Stripe refuses an unknown key (401).
 */
const apiKey = (): MiddlewareHandler<SandboxEnv> => async (c, next) => {
  const match = /^Bearer (\S+)$/.exec(c.req.header("authorization") ?? "");
  if (!match) {
    throw invalidRequest(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      {},
      401,
    );
  }
  if (!match[1]!.startsWith("sk_test_")) throw invalidRequest(`Invalid API Key provided: ${match[1]!.slice(0, 8)}…`, {}, 401);
  await next();
};

/** Every API request is logged (method, path, idempotency key; never bodies) for tests to read. */
const recordRequest = (): MiddlewareHandler<SandboxEnv> => async (c, next) => {
  await database(c.env)
    .insert(requests)
    .values({ method: c.req.method, path: c.req.path, idempotencyKey: c.req.header("idempotency-key") ?? null, at: Date.now() });
  await next();
};

/**
 * Speaks Stripe's API shapes (and Stripe's own error body), not Oscillation's, so it is a
 * plain Hono app rather than a service app. Served to browsers under `/_sandbox/stripe/`
 * (the storefront strips the prefix), so its pages link relatively.
 */
export const app = new Hono<SandboxEnv>();

app.onError((error, c) => {
  if (error instanceof StripeError) return stripeErrorResponse(c, error);
  log.error("sandbox fault", { service: "stripe-sandbox", method: c.req.method, path: c.req.path, ...describeError(error) });
  return stripeErrorResponse(c, new StripeError(500, "api_error", "An unknown error occurred"));
});
app.notFound((c) =>
  stripeErrorResponse(c, invalidRequest(`Unrecognized request URL (${c.req.method}: ${c.req.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`, {}, 404)),
);
app.use(async (c, next) => {
  setLogLevel(c.env.LOG_LEVEL);
  await next();
});

app.get("/health", (c) => c.json({ status: "ok" }));

app.use("/v1/*", recordRequest(), apiKey(), idempotency());
app.route("/v1/checkout/sessions", checkoutSessions);
app.route("/v1/payment_intents", paymentIntentsRoutes);
app.route("/v1/refunds", refundsRoutes);
app.route("/v1/test_helpers", testHelpers);

app.route("/checkout", checkoutPage);
app.route("/debug", debug);
