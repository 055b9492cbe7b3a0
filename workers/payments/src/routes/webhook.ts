import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray } from "drizzle-orm";
import { checkoutSessions, stripeEvents } from "../../../../schema/tables/payments";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { log } from "../../../shared/src/log";
import { publisherFor } from "../../../shared/src/messaging";
import { errorContent, jsonContent } from "../../../shared/src/openapi";
import { database, type Database } from "../db";
import { paidSessionOf } from "../payment-data";
import { recordPayment } from "../payment-records";
import { refundIfCancelled } from "../refunds";
import { cryptoProvider, Stripe, webhookSecret } from "../stripe-client";

const Received = z.object({ received: z.literal(true) }).openapi("WebhookReceived");

/**
 * What every Stripe event has, checked once the signature holds: a signed body without it
 * (only a holder of the secret could send one) is refused as the sender's fault. A checkout
 * session's event must name its session.
 */
const EventEnvelope = z
  .object({ id: z.string().min(1), type: z.string().min(1), data: z.object({ object: z.looseObject({}) }) })
  .refine((e) => !e.type.startsWith("checkout.session.") || typeof e.data.object.id === "string");

const recordEvent = (db: Database, event: Stripe.Event) =>
  db.insert(stripeEvents).values({ id: event.id, type: event.type, processedAt: Date.now() });

async function alreadyProcessed(db: Database, eventId: string) {
  const rows = await db.select({ id: stripeEvents.id }).from(stripeEvents).where(eq(stripeEvents.id, eventId)).limit(1);
  return rows.length > 0;
}

/**
 * Runs `apply`, whose batch records the event id first; a concurrent delivery of the same
 * event that committed first makes that batch fail on the id, which is then a duplicate.
 */
async function once(db: Database, event: Stripe.Event, apply: () => Promise<unknown>) {
  try {
    await apply();
    return true;
  } catch (error) {
    if (await alreadyProcessed(db, event.id).catch(() => false)) return false;
    throw error;
  }
}

/** `POST /api/payments/webhook`: Stripe's events, verified by signature before anything is read. */
export const webhook = createRouter<ServiceEnv<Env>>();

webhook.openapi(
  createRoute({
    method: "post",
    path: "/",
    summary: "Stripe webhook endpoint",
    description:
      "The raw body must be exactly as Stripe sent it, with its `Stripe-Signature` header (at most 5 minutes old). " +
      "Handles `checkout.session.completed` (and `…async_payment_succeeded`) and `checkout.session.expired`; " +
      "every other verified event is acknowledged and ignored. A redelivered event changes nothing.",
    responses: {
      200: jsonContent(Received, "Verified: applied now, before, or ignored"),
      400: errorContent("Signature missing, wrong or older than 5 minutes, or the body changed"),
    },
  }),
  async (c) => {
    const signature = c.req.header("stripe-signature");
    if (!signature) throw new ApiError(400, "Missing Stripe-Signature header");
    // Verified over the exact bytes received, before any parsing.
    const payload = await c.req.text();
    let event: Stripe.Event;
    try {
      event = await Stripe.webhooks.constructEventAsync(payload, signature, webhookSecret(c.env), undefined, cryptoProvider);
    } catch (error) {
      if (error instanceof Stripe.errors.StripeSignatureVerificationError) throw new ApiError(400, "Invalid Stripe signature");
      // Signed but not JSON: only the holder of the secret could send it; still not ours to crash on.
      if (error instanceof SyntaxError) throw new ApiError(400, "Invalid webhook payload");
      throw error;
    }
    if (!EventEnvelope.safeParse(event).success) throw new ApiError(400, "Invalid webhook payload");

    const db = database(c.env);
    const publisher = publisherFor(c.env, c.executionCtx);
    const fields = { service: "payments", stripeEventId: event.id, type: event.type };
    switch (event.type) {
      case "checkout.session.completed":
      case "checkout.session.async_payment_succeeded": {
        const paid = paidSessionOf(event.data.object);
        if (!paid) {
          // Not paid yet (a delayed payment method) or not one of ours: nothing to record.
          await once(db, event, () => db.batch([recordEvent(db, event)]));
          break;
        }
        const outcome = { own: true };
        const applied =
          !(await alreadyProcessed(db, event.id)) &&
          (await once(db, event, async () => {
            outcome.own = (await recordPayment(c.env, paid, publisher, [recordEvent(db, event)])) !== null;
          }));
        // Acknowledged, so Stripe stops sending it, and recorded as seen; recordPayment logged why.
        if (!outcome.own) break;
        // A redelivery still settles the order: the first delivery may have failed to refund.
        if (!applied) await refundIfCancelled(c.env, paid.orderId, publisher);
        log.info(applied ? "webhook applied" : "duplicate webhook", { ...fields, orderId: paid.orderId });
        break;
      }
      case "checkout.session.expired": {
        const sessionId = event.data.object.id;
        const applied = await once(db, event, () =>
          db.batch([
            recordEvent(db, event),
            db
              .update(checkoutSessions)
              .set({ status: "expired", updatedAt: new Date().toISOString() })
              .where(and(eq(checkoutSessions.sessionId, sessionId), inArray(checkoutSessions.status, ["pending", "open"]))),
          ]),
        );
        log.info(applied ? "webhook applied" : "duplicate webhook", { ...fields, sessionId });
        break;
      }
      default:
        // Verified but not one payments listens to (the endpoint may be subscribed to more).
        log.debug("webhook ignored", fields);
    }
    return c.json({ received: true as const }, 200);
  },
);
