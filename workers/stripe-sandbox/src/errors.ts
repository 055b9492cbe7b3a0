import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type StripeErrorType = "invalid_request_error" | "card_error" | "idempotency_error" | "api_error";

/**
 * An error as Stripe answers it: `{error: {type, code, message, param, …}}` with Stripe's
 * status code, so the real SDK raises the same error class it would against Stripe.
 */
export class StripeError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: StripeErrorType,
    message: string,
    readonly fields: { code?: string; param?: string; decline_code?: string } = {},
  ) {
    super(message);
  }

  /** A refusal of the parameters themselves: Stripe keeps no idempotent answer for these. */
  get isParameterError() {
    return this.fields.code?.startsWith("parameter_") ?? false;
  }

  body() {
    return { error: { type: this.type, message: this.message, ...this.fields } };
  }
}

export const invalidRequest = (message: string, fields: StripeError["fields"] = {}, status: ContentfulStatusCode = 400) =>
  new StripeError(status, "invalid_request_error", message, fields);

export const parameterMissing = (param: string) =>
  invalidRequest(`Missing required param: ${param}.`, { code: "parameter_missing", param });

export const parameterInvalid = (param: string, message: string) =>
  invalidRequest(message, { code: "parameter_invalid", param });

export const parameterUnknown = (param: string) =>
  invalidRequest(`Received unknown parameter: ${param}`, { code: "parameter_unknown", param });

/** An object named by the URL (404) or by a parameter (400) that does not exist. */
export const resourceMissing = (object: string, id: string, param: string, status: ContentfulStatusCode = 404) =>
  invalidRequest(`No such ${object}: '${id}'`, { code: "resource_missing", param }, status);

export const cardDeclined = (message: string, declineCode: string) =>
  new StripeError(402, "card_error", message, { code: "card_declined", decline_code: declineCode });

export function stripeErrorResponse(c: Context, error: StripeError) {
  return c.json(error.body(), error.status);
}
