import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { log } from "../../../workers/shared/src/log";

/** The error body every service answers with; the edge uses it for its own failures too. */
export const errorBody = (message: string, field?: string) => ({ errors: [field ? { message, field } : { message }] });

/** `field` names the one input at fault, when there is one. */
export function errorResponse(c: Context, status: ContentfulStatusCode, message: string, field?: string) {
  return c.json(errorBody(message, field), status, { "Cache-Control": "no-store" });
}

/** Unknown `/api/*` routes. */
export const notFound = (c: Context) => errorResponse(c, 404, "Not found");

/** The edge's `onError`: logs the fault, never leaks internals. */
export function onError(err: Error, c: Context) {
  log.error("edge error", {
    service: "storefront",
    requestId: c.req.header("x-request-id"),
    method: c.req.method,
    path: c.req.path,
    error: err.message,
    stack: err.stack,
  });
  return errorResponse(c, 500, "Something went wrong");
}
