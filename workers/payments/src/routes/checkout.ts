import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { publisherFor } from "../../../shared/src/messaging";
import { errorContent, jsonBody, jsonContent } from "../../../shared/src/openapi";
import { requireAuth, requireUser } from "../../../shared/src/session";
import { isPayable, openCheckout } from "../checkout-sessions";
import { buyersOrder, OrderRef } from "../order-access";
import { modeOf } from "../stripe-client";

const Checkout = z
  .object({
    sessionId: z.string().openapi({ example: "cs_test_a1b2c3" }),
    clientSecret: z.string().openapi({ description: "Initialises Stripe's Embedded Checkout (or the sandbox's page)" }),
    mode: z.enum(["stripe", "sandbox"]).openapi({ description: "`sandbox`: pay on `/_sandbox/stripe/checkout/{sessionId}`" }),
    publishableKey: z.string().nullable().openapi({ description: "For Stripe.js in `stripe` mode; null in `sandbox` mode" }),
  })
  .openapi("Checkout");

/** `POST /api/payments/checkout`. */
export const checkout = createRouter<ServiceEnv<Env>>();

checkout.openapi(
  createRoute({
    method: "post",
    path: "/",
    summary: "Open (or return the still-open) Stripe Checkout Session for an order",
    middleware: [requireAuth()] as const,
    request: jsonBody(OrderRef),
    responses: {
      201: jsonContent(Checkout, "The session to pay: the record and its shipping as two lines; the amount is the order's total"),
      400: errorContent("orderId missing"),
      401: errorContent("Not signed in"),
      403: errorContent("Someone else's order"),
      404: errorContent("Unknown order"),
      409: errorContent("Order cancelled, already paid, or its hold has ended; `Add a shipping address before paying`"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const order = await buyersOrder(c.env, user, c.req.valid("json").orderId);
    if (order.status === "cancelled") throw new ApiError(409, "Order is cancelled");
    if (order.status === "complete") throw new ApiError(409, "Order is already paid");
    if (Date.parse(order.expiresAt) <= Date.now()) throw new ApiError(409, "Order has expired");
    if (!isPayable(order)) throw new ApiError(409, "Add a shipping address before paying");
    const session = await openCheckout(c.env, order, new URL(c.req.url).origin, publisherFor(c.env, c.executionCtx));
    if (!session.client_secret) throw new Error(`session ${session.id} has no client secret`);
    const mode = modeOf(c.env);
    return c.json(
      {
        sessionId: session.id,
        clientSecret: session.client_secret,
        mode,
        publishableKey: mode === "stripe" ? c.env.STRIPE_PUBLISHABLE_KEY || null : null,
      },
      201,
    );
  },
);
