import { Hono } from "hono";
import type { SandboxEnv } from "../app";
import { parameterUnknown } from "../errors";
import { requestParams } from "../form";
import { sessionObject } from "../objects";
import { createSession, expireSession, requireSession } from "../sessions";

/** `/v1/checkout/sessions`: create, retrieve and expire. */
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
