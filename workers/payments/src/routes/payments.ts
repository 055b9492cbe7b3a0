import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, inArray, isNotNull } from "drizzle-orm";
import { checkoutSessions, payments as paymentsTable } from "../../../../schema/tables/payments";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { publisherFor } from "../../../shared/src/messaging";
import { errorContent, jsonBody, jsonContent } from "../../../shared/src/openapi";
import { requireAuth, requireUser } from "../../../shared/src/session";
import { closeCheckout } from "../checkout-sessions";
import { database } from "../db";
import { buyersOrder, OrderRef } from "../order-access";
import { paidSessionOf } from "../payment-data";
import { recordPayment } from "../payment-records";
import { stripeClient } from "../stripe-client";

const Payment = z
  .object({
    id: z.uuid(),
    orderId: z.uuid(),
    status: z.literal("paid"),
  })
  .openapi("Payment");

/** `POST /api/payments`. */
export const payments = createRouter<ServiceEnv<Env>>();

payments.openapi(
  createRoute({
    method: "post",
    path: "/",
    summary: "Confirm an order's payment by re-reading its Checkout Session from Stripe",
    description:
      "For the checkout return page: does not wait for the webhook. Only Stripe's answer counts; nothing the browser sends does.",
    middleware: [requireAuth()] as const,
    request: jsonBody(OrderRef),
    responses: {
      201: jsonContent(Payment, "Paid, and recorded by this request"),
      200: jsonContent(Payment, "Paid, recorded before"),
      400: errorContent("orderId missing"),
      401: errorContent("Not signed in"),
      402: errorContent("`Payment not completed`"),
      403: errorContent("Someone else's order"),
      404: errorContent("Unknown order"),
      409: errorContent("Order cancelled (a payment that still arrived is refunded)"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const order = await buyersOrder(c.env, user, c.req.valid("json").orderId);
    const publisher = publisherFor(c.env, c.executionCtx);
    if (order.status === "cancelled") {
      // Stripe may hold a payment that raced the cancellation: find it and refund it now.
      await closeCheckout(c.env, order.id, publisher);
      throw new ApiError(409, "Order is cancelled");
    }
    const db = database(c.env);
    const [recorded] = await db.select().from(paymentsTable).where(eq(paymentsTable.orderId, order.id)).limit(1);
    if (recorded) return c.json({ id: recorded.id, orderId: order.id, status: "paid" as const }, 200);

    const sessions = await db
      .select({ sessionId: checkoutSessions.sessionId })
      .from(checkoutSessions)
      .where(and(eq(checkoutSessions.orderId, order.id), isNotNull(checkoutSessions.sessionId), inArray(checkoutSessions.status, ["open", "complete"])))
      .orderBy(desc(checkoutSessions.attempt));
    const stripe = stripeClient(c.env);
    for (const { sessionId } of sessions) {
      const paid = paidSessionOf(await stripe.checkout.sessions.retrieve(sessionId!));
      if (!paid) continue;
      const recorded = await recordPayment(c.env, paid, publisher);
      if (!recorded) continue;
      const { payment, inserted, orderCancelled } = recorded;
      if (orderCancelled) throw new ApiError(409, "Order is cancelled");
      return c.json({ id: payment.id, orderId: order.id, status: "paid" as const }, inserted ? 201 : 200);
    }
    throw new ApiError(402, "Payment not completed");
  },
);
