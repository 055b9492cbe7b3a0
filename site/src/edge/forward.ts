import type { Context } from "hono";
import { log } from "../../../workers/shared/src/log";
import { errorResponse } from "./errors";
import type { ServiceBinding } from "./services";

/**
 * Hands the original request to a service Worker unchanged (method, headers, cookies,
 * body and the public URL), and its answer back to the browser unchanged.
 */
export function forwardTo(binding: ServiceBinding) {
  return async (c: Context<{ Bindings: Env }>) => {
    try {
      return await c.env[binding].fetch(c.req.raw);
    } catch (err) {
      log.error("service unreachable", {
        service: "storefront",
        binding,
        requestId: c.req.header("x-request-id"),
        path: c.req.path,
        error: err instanceof Error ? err.message : String(err),
      });
      return errorResponse(c, 503, "Service unavailable, please try again shortly");
    }
  };
}
