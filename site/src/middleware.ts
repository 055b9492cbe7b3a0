import { defineMiddleware } from "astro:middleware";
import { env } from "cloudflare:workers";
import { log } from "../../workers/shared/src/log";
import { SESSION_COOKIE, verifySession, type SessionUser } from "../../workers/shared/src/session";
import { NO_STORE } from "./lib/http";

async function readUser(token: string | undefined): Promise<SessionUser | null> {
  try {
    return await verifySession(token, env.JWT_SECRET);
  } catch (err) {
    // A missing JWT_SECRET must not take the shop down: everyone is simply anonymous.
    log.error("session check failed", { service: "storefront", error: String(err) });
    return null;
  }
}

/**
 * Reads the `session` cookie into `Astro.locals.user` (null when anonymous or the token
 * is forged or expired). Every page shows the account in its header, so a response that
 * did not choose its own caching is marked `private, no-store`.
 */
export const onRequest = defineMiddleware(async (context, next) => {
  context.locals.user = await readUser(context.cookies.get(SESSION_COOKIE)?.value);
  const response = await next();
  if (response.headers.has("Cache-Control")) return response;
  try {
    response.headers.set("Cache-Control", NO_STORE);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set("Cache-Control", NO_STORE);
    return copy;
  }
});
