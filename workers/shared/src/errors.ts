import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError, type FieldError } from "./api-error";
import { log } from "./log";

export { ApiError, type FieldError };

/** The one error body every Worker answers with, for every 4xx and 5xx. */
export const ErrorBody = z
  .object({
    errors: z.array(
      z.object({
        message: z.string(),
        field: z.string().optional().openapi({ description: "Present when one input field is at fault" }),
      }),
    ),
  })
  .openapi("Error");

/**
 * Maps zod issues to one error entry per failing field. zod reports every failed check, so a
 * field can fail several (an overlong address that is also malformed); the first one speaks.
 */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const byField = new Map<string, FieldError>();
  for (const issue of issues) {
    const field = issue.path.map(String).join(".");
    if (!byField.has(field)) byField.set(field, field ? { message: issue.message, field } : { message: issue.message });
  }
  return [...byField.values()];
}

export function errorResponse(c: Context, status: ContentfulStatusCode, errors: FieldError[]) {
  return c.json({ errors }, status);
}

/** The single `onError` of every Worker. Unexpected errors are logged and never leak internals. */
export function onError(err: Error, c: Context) {
  if (err instanceof ApiError) return errorResponse(c, err.status as ContentfulStatusCode, err.errors);
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    // Framework errors (malformed JSON, body too large) carry a message fit for the client.
    return errorResponse(c, status, [{ message: err.message || defaultMessage(status) }]);
  }
  log.error("unhandled error", {
    requestId: c.get("requestId"),
    method: c.req.method,
    path: c.req.path,
    ...describeError(err),
  });
  return errorResponse(c, 500, [{ message: "Something went wrong" }]);
}

/**
 * The error and its causes, fit for a log line. A failed drizzle query puts its bound
 * parameters (emails, password hashes) into its message and stack, so for an error that
 * carries `params` only its SQL text is kept, and the stack keeps only its frames.
 */
export function describeError(err: Error): { error: string; stack?: string } {
  const messages: string[] = [];
  for (let e: unknown = err; e instanceof Error && messages.length < 5; e = e.cause) {
    messages.push("params" in e ? `${e.name}: ${String((e as { query?: unknown }).query)}` : `${e.name}: ${e.message}`);
  }
  const frames = err.stack?.split("\n").filter((line) => /^\s+at /.test(line));
  return { error: messages.join(" <- caused by "), stack: frames?.join("\n") };
}

export function notFound(c: Context) {
  return errorResponse(c, 404, [{ message: "Not found" }]);
}

function defaultMessage(status: number) {
  if (status === 413) return "Request body too large";
  if (status === 415) return "Unsupported media type";
  if (status === 403) return "Forbidden";
  return "Bad request";
}
