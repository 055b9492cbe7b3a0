import { and, desc, eq, sql } from "drizzle-orm";
import { Hono } from "hono";
import type { SandboxEnv } from "../app";
import { database } from "../db";
import { invalidRequest, parameterInvalid, parameterMissing, parameterUnknown, resourceMissing } from "../errors";
import { requestParams } from "../form";
import { newId, nowSeconds } from "../ids";
import { refundObject } from "../objects";
import { paymentIntents, refunds } from "../schema";

const REFUND_PARAMS = new Set(["payment_intent", "amount", "reason", "metadata", "expand"]);
const REASONS = new Set(["duplicate", "fraudulent", "requested_by_customer"]);

/** `/v1/refunds`: refund a payment intent (all of what remains unless `amount`), list and retrieve. */
export const refundsRoutes = new Hono<SandboxEnv>();

refundsRoutes.post("/", async (c) => {
  const params = await requestParams(c.req);
  for (const key of Object.keys(params)) if (!REFUND_PARAMS.has(key)) throw parameterUnknown(key);
  const intentId = params.payment_intent;
  if (intentId === undefined) throw parameterMissing("payment_intent");
  if (typeof intentId !== "string") throw parameterInvalid("payment_intent", "Invalid string");
  const reason = params.reason;
  if (reason !== undefined && (typeof reason !== "string" || !REASONS.has(reason))) {
    throw parameterInvalid("reason", "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer");
  }
  const metadata = params.metadata;
  if (metadata !== undefined && (typeof metadata !== "object" || Array.isArray(metadata))) throw parameterInvalid("metadata", "Invalid object");

  const db = database(c.env);
  const [intent] = await db.select().from(paymentIntents).where(eq(paymentIntents.id, intentId)).limit(1);
  // A missing object named by a parameter is a 400 at Stripe, not a 404.
  if (!intent) throw resourceMissing("payment_intent", intentId, "payment_intent", 400);
  const remaining = intent.amount - intent.amountRefunded;
  if (remaining <= 0) {
    throw invalidRequest(`Charge ${intent.latestCharge} has already been refunded.`, { code: "charge_already_refunded" });
  }
  let amount = remaining;
  if (params.amount !== undefined) {
    amount = typeof params.amount === "string" && /^\d+$/.test(params.amount) ? Number(params.amount) : NaN;
    if (!(amount > 0)) throw invalidRequest(`Invalid integer: ${String(params.amount)}`, { code: "parameter_invalid_integer", param: "amount" });
    if (amount > remaining) {
      throw invalidRequest(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, { param: "amount" });
    }
  }

  const row = {
    id: newId.refund(),
    paymentIntent: intent.id,
    charge: intent.latestCharge,
    amount,
    currency: intent.currency,
    reason: (reason as string | undefined) ?? null,
    metadata: JSON.stringify(metadata ?? {}),
    created: nowSeconds(),
  };
  // The amount is taken only while it remains, so concurrent refunds cannot exceed the payment.
  const [taken] = await db.batch([
    db
      .update(paymentIntents)
      .set({ amountRefunded: sql`${paymentIntents.amountRefunded} + ${amount}` })
      .where(and(eq(paymentIntents.id, intent.id), sql`${paymentIntents.amount} - ${paymentIntents.amountRefunded} >= ${amount}`))
      .returning({ id: paymentIntents.id }),
    db.insert(refunds).select(
      sql`select ${row.id}, ${row.paymentIntent}, ${row.charge}, ${row.amount}, ${row.currency}, ${row.reason}, ${row.metadata}, ${row.created}
          where changes() = 1`,
    ),
  ]);
  if (taken.length === 0) {
    throw invalidRequest(`Charge ${intent.latestCharge} has already been refunded.`, { code: "charge_already_refunded" });
  }
  return c.json(refundObject(row));
});

refundsRoutes.get("/", async (c) => {
  const params = await requestParams(c.req);
  const db = database(c.env);
  const intent = typeof params.payment_intent === "string" ? params.payment_intent : undefined;
  const rows = await db
    .select()
    .from(refunds)
    .where(intent ? eq(refunds.paymentIntent, intent) : undefined)
    .orderBy(desc(refunds.created), desc(refunds.id))
    .limit(100);
  return c.json({ object: "list", data: rows.map(refundObject), has_more: false, url: "/v1/refunds" });
});

refundsRoutes.get("/:id", async (c) => {
  const id = c.req.param("id");
  const [row] = await database(c.env).select().from(refunds).where(eq(refunds.id, id)).limit(1);
  if (!row) throw resourceMissing("refund", id, "id");
  return c.json(refundObject(row));
});
