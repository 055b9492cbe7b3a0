import type { MiddlewareHandler } from "hono";
import { ApiError } from "./errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses state-changing requests a browser sent from another origin. Requests without
 * `Origin` or `Sec-Fetch-Site` come from non-browser clients (curl, Stripe, other
 * services), which carry no ambient cookie risk, so they pass. Hono's own `csrf()` only
 * looks at form content types and would let a cross-origin JSON request through.
 */
export function sameOrigin(): MiddlewareHandler {
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method)) {
      const site = c.req.header("sec-fetch-site");
      const origin = c.req.header("origin");
      const crossSite = site !== undefined && site !== "same-origin" && site !== "none";
      const foreignOrigin = origin !== undefined && origin !== new URL(c.req.url).origin;
      if (crossSite || foreignOrigin) throw new ApiError(403, "Cross-origin request refused");
    }
    await next();
  };
}
