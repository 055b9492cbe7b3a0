import type { MiddlewareHandler } from "hono";
import { createServiceApp } from "../../shared/src/app";
import { isRevoked } from "../../shared/src/replicas";
import { database } from "./db";
import { errorResponse } from "../../shared/src/errors";
import { checkout } from "./routes/checkout";
import { payments } from "./routes/payments";
import { webhook } from "./routes/webhook";
import { isStripeUnavailable } from "./stripe-client";

export const app = createServiceApp<Env>({
  service: "payments",
  isRevoked: (env, sessionId) => isRevoked(database(env), sessionId),
});

/**
 * Payment answers are personal (a client secret among them): never stored by a browser or
 * the edge. When Stripe cannot be reached the answer is a 503 to retry, not a 500: the
 * fault is neither the caller's nor ours. Stripe itself retries a webhook answered so.
 */
const paymentResponses = (): MiddlewareHandler => async (c, next) => {
  await next();
  if (isStripeUnavailable(c.error)) c.res = errorResponse(c, 503, [{ message: "Payments are unavailable, please try again shortly" }]);
  c.header("Cache-Control", "private, no-store");
};

// Also matches `/api/payments` itself.
app.use("/api/payments/*", paymentResponses());
app.route("/api/payments/checkout", checkout);
app.route("/api/payments/webhook", webhook);
app.route("/api/payments", payments);
