import { Hono } from "hono";
import type { SandboxEnv } from "../app";
import { parameterUnknown } from "../errors";
import { requestParams } from "../form";
import { sessionObject } from "../objects";
import { paySession, SUCCESS_CARD } from "../sessions";

/**
 * `/v1/test_helpers`: what a shopper does in the browser, without one. Not a Stripe
 * endpoint (Stripe's test helpers cover other objects), named in its style.
 */
export const testHelpers = new Hono<SandboxEnv>();

/** Pays an open session (with `card`, 4242… by default); a declined card answers Stripe's card error. */
testHelpers.post("/checkout/sessions/:id/pay", async (c) => {
  const params = await requestParams(c.req);
  for (const key of Object.keys(params)) if (key !== "card") throw parameterUnknown(key);
  const card = typeof params.card === "string" ? params.card : SUCCESS_CARD;
  return c.json(sessionObject(await paySession(c.env, c.req.param("id"), card)));
});
