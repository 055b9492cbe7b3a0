import { asc, desc, eq, like } from "drizzle-orm";
import { Hono } from "hono";
import type { SandboxEnv } from "../app";
import { database } from "../db";
import { resourceMissing } from "../errors";
import { events, requests } from "../schema";
import { deliver } from "../webhooks";

/** `/debug`: what tests and developers read back from the sandbox. Not part of Stripe's API. */
export const debug = new Hono<SandboxEnv>();

/** The API requests received, oldest first; `?path=` keeps those whose path starts with it. */
debug.get("/requests", async (c) => {
  const path = c.req.query("path");
  const rows = await database(c.env)
    .select({ method: requests.method, path: requests.path, idempotencyKey: requests.idempotencyKey, at: requests.at })
    .from(requests)
    .where(path ? like(requests.path, `${path.replace(/[%_]/g, "")}%`) : undefined)
    .orderBy(asc(requests.seq));
  return c.json(rows);
});

/** The events sent to the webhook endpoint, newest first, with the status of their last delivery. */
debug.get("/events", async (c) => {
  const rows = await database(c.env).select().from(events).orderBy(desc(events.created), desc(events.id)).limit(100);
  return c.json(rows.map((e) => ({ ...JSON.parse(e.body), delivery_status: e.deliveryStatus })));
});

/** Sends an event again, signed anew: Stripe's "resend" (and its retries of a failed delivery). */
debug.post("/events/:id/deliver", async (c) => {
  const id = c.req.param("id");
  const [event] = await database(c.env).select({ id: events.id }).from(events).where(eq(events.id, id)).limit(1);
  if (!event) throw resourceMissing("event", id, "id");
  return c.json({ id, delivery_status: await deliver(c.env, id) });
});
