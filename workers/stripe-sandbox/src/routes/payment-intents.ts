import { eq } from "drizzle-orm";
import { Hono } from "hono";
import type { SandboxEnv } from "../app";
import { database } from "../db";
import { resourceMissing } from "../errors";
import { paymentIntentObject } from "../objects";
import { paymentIntents } from "../schema";

/** `/v1/payment_intents`: read-only; a payment intent exists once a session is paid. */
export const paymentIntentsRoutes = new Hono<SandboxEnv>();

paymentIntentsRoutes.get("/:id", async (c) => {
  const id = c.req.param("id");
  const [row] = await database(c.env).select().from(paymentIntents).where(eq(paymentIntents.id, id)).limit(1);
  if (!row) throw resourceMissing("payment_intent", id, "intent");
  return c.json(paymentIntentObject(row));
});
