import { z } from "@hono/zod-openapi";
import { COUNTRIES, FEEDBACK_RATINGS } from "../../../schema/vocabulary";
import { wellFormed } from "../../shared/src/text-input";

/**
 * What buyers and sellers send about an order after it is placed. Text is trimmed; a lone
 * UTF-16 surrogate is never real text (D1 would store it as U+FFFD), so it is refused.
 */

const NOT_AN_OBJECT = { error: "Request body must be a JSON object" };

const typeError = (label: string) => (issue: { input: unknown }) =>
  issue.input === undefined || issue.input === null ? `${label} is required` : `${label} must be text`;

/** Required text of 1 to `max` characters after trimming. */
const required = (label: string, max: number) =>
  z
    .string({ error: typeError(label) })
    .refine(...wellFormed(label))
    .trim()
    .min(1, { error: `${label} is required` })
    .max(max, { error: `${label} must be at most ${max} characters` });

/** Optional text of at most `max` characters; `null`, `""` or blanks mean none. */
const optional = (label: string, max: number) =>
  z
    .string({ error: `${label} must be text` })
    .refine(...wellFormed(label))
    .trim()
    .max(max, { error: `${label} must be at most ${max} characters` })
    .nullable()
    .optional()
    .transform((v) => v || null);

// Exactly as a country `<select>` sends it: a code in capitals, nothing around it.
const Country = z
  .string({ error: (issue) => (issue.input === undefined || issue.input === null ? "Country is required" : "Country must be text") })
  .refine((code) => COUNTRIES.includes(code), { error: "Country must be a two-letter country code, such as US or DE" })
  .openapi({ example: "DE", description: "ISO 3166-1 alpha-2" });

export const ShippingAddressInput = z
  .object(
    {
      name: required("Name", 100).openapi({ example: "Ada Lovelace" }),
      line1: required("Address line 1", 200).openapi({ example: "12 Groove Street" }),
      line2: optional("Address line 2", 200),
      city: required("City", 100).openapi({ example: "Berlin" }),
      region: optional("Region", 100).openapi({ description: "State, province or county, where the country has them" }),
      postalCode: required("Postal code", 20).openapi({ example: "10115" }),
      country: Country,
    },
    NOT_AN_OBJECT,
  )
  .openapi("ShippingAddressInput");

export type ShippingAddressValues = z.infer<typeof ShippingAddressInput>;

export const ShipmentInput = z
  .object(
    {
      carrier: required("Carrier", 100).openapi({ example: "DHL" }),
      trackingNumber: required("Tracking number", 100).openapi({ example: "JJD0099999999" }),
    },
    NOT_AN_OBJECT,
  )
  .openapi("ShipmentInput");

export const FeedbackInput = z
  .object(
    {
      rating: z.enum(FEEDBACK_RATINGS, {
        error: (issue) => (issue.input === undefined ? "Rating is required" : `Rating must be one of: ${FEEDBACK_RATINGS.join(", ")}`),
      }),
      comment: optional("Comment", 500).openapi({ description: "At most 500 characters" }),
    },
    NOT_AN_OBJECT,
  )
  .openapi("FeedbackInput");

export const ReplyInput = z
  .object({ reply: required("Reply", 500).openapi({ example: "Thanks, enjoy the record!" }) }, NOT_AN_OBJECT)
  .openapi("ReplyInput");

let regionNames: Intl.DisplayNames | undefined;

/** "DE" → "Germany": how a country is named in messages. */
export function countryName(code: string): string {
  regionNames ??= new Intl.DisplayNames(["en"], { type: "region" });
  return regionNames.of(code) ?? code;
}
