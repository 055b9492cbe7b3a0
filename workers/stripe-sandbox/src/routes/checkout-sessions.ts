import { Hono } from "hono";
import type { SandboxEnv } from "../app";
import { parameterInvalid, parameterUnknown } from "../errors";
import { requestParams } from "../form";
import { lineItemList, sessionObject } from "../objects";
import { createSession, expireSession, requireSession } from "../sessions";

/** `/v1/checkout/sessions`: create, retrieve, list line items and expire. */
export const checkoutSessions = new Hono<SandboxEnv>();

checkoutSessions.post("/", async (c) => {
  const row = await createSession(c.env, await requestParams(c.req));
  return c.json(sessionObject(row));
});

checkoutSessions.get("/:id", async (c) => {
  for (const key of Object.keys(await requestParams(c.req))) if (key !== "expand") throw parameterUnknown(key);
  return c.json(sessionObject(await requireSession(c.env, c.req.param("id"))));
});

checkoutSessions.post("/:id/expire", async (c) => {
  for (const key of Object.keys(await requestParams(c.req))) if (key !== "expand") throw parameterUnknown(key);
  return c.json(sessionObject(await expireSession(c.env, c.req.param("id"))));
});

/** A session's line items, as Stripe lists them (one page: `limit` 1–100, 10 unless given). */
checkoutSessions.get("/:id/line_items", async (c) => {
  const params = await requestParams(c.req);
  for (const key of Object.keys(params)) if (key !== "expand" && key !== "limit") throw parameterUnknown(key);
  const limit = params.limit === undefined ? 10 : Number(params.limit);
  if (typeof params.limit === "object" || !Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw parameterInvalid("limit", "This value must be between 1 and 100.");
  }
  const session = await requireSession(c.env, c.req.param("id"));
  return c.json(lineItemList(session, limit, c.req.path));
});
