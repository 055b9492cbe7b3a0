import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

// Kept free of zod so that code which only throws (the session reader, the storefront)
// does not pull the schema library into its bundle.

export type FieldError = { message: string; field?: string };

/**
 * An expected failure with one or more messages. Throw it from a handler; `onError`
 * turns it into the error body.
 *
 * @example throw new ApiError(409, "Email already in use")
 * @example throw new ApiError(400, [{ field: "email", message: "Email is invalid" }])
 */
export class ApiError extends HTTPException {
  readonly errors: FieldError[];

  constructor(status: ContentfulStatusCode, errors: string | FieldError[]) {
    const list = typeof errors === "string" ? [{ message: errors }] : errors;
    super(status, { message: list.map((e) => e.message).join("; ") });
    this.errors = list;
  }
}
