import { z } from "@hono/zod-openapi";
import { GENRES, MEDIA_GRADES, SLEEVE_GRADES } from "../../../schema/events";
import { COUNTRIES, MAX_ARTIST_LENGTH, MAX_TITLE_LENGTH, USERNAME_PATTERN } from "../../../schema/vocabulary";
import { SORTS } from "./cursor";
import { keyFromImageUrl } from "./image-key";
import { MAX_PRICE_CENTS, MAX_SHIPPING_CENTS, parseCents, toCents } from "./money";
import { MAX_QUERY_LENGTH } from "./search";
import { blankToNull, optionalText, wellFormed } from "../../shared/src/text-input";

/**
 * What a seller may send for a listing, and what a shopper may ask of the list. Optional
 * fields take `null` or `""` to mean "none", so an emptied form field clears its value.
 */

const typeError = (label: string, kind: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? `${label} is required` : `${label} must be ${kind}`;

const Title = z
  .string({ error: typeError("Title", "text") })
  .refine(...wellFormed("Title"))
  .trim()
  .min(1, { error: `Title must be 1 to ${MAX_TITLE_LENGTH} characters` })
  .max(MAX_TITLE_LENGTH, { error: `Title must be 1 to ${MAX_TITLE_LENGTH} characters` })
  .openapi({ example: "Kind of Blue" });

const Price = z
  .number({ error: typeError("Price", "a number") })
  .refine((n) => n > 0, { error: "Price must be greater than 0" })
  .refine((n) => n <= MAX_PRICE_CENTS / 100, { error: "Price must be at most 100000" })
  .refine((n) => toCents(n) !== null, { error: "Price must have at most 2 decimal places" })
  .openapi({ example: 19.99, description: "Decimal, > 0, ≤ 100000, at most two places" });

const MAX_SHIPPING = MAX_SHIPPING_CENTS / 100;

/** A shipping price: a JSON number from 0 to 1000 with at most two decimals. */
const shippingAmount = (label: string, kind: string) =>
  z
    .number({ error: typeError(label, kind) })
    .refine((n) => n >= 0 && n <= MAX_SHIPPING, { error: `${label} must be from 0 to ${MAX_SHIPPING}` })
    .refine((n) => toCents(n) !== null, { error: `${label} must have at most 2 decimal places` });

const SHIPS_FROM_ERROR = "Ships from must be an ISO 3166-1 alpha-2 country code, such as US or DE";

const ShipsFrom = z
  .string({ error: typeError("Ships from", "a country code") })
  .trim()
  // ASCII letters only before upper-casing: "ß".toUpperCase() is "SS", a country.
  .regex(/^[A-Za-z]{2}$/, { error: SHIPS_FROM_ERROR })
  .toUpperCase()
  .refine((code) => COUNTRIES.includes(code), { error: SHIPS_FROM_ERROR })
  .openapi({ example: "US", description: "ISO 3166-1 alpha-2 country the record ships from (any case)" });

const ShippingDomestic = shippingAmount("Domestic shipping", "a number").openapi({
  example: 5,
  description: "Shipping within `shipsFrom`'s country, in the listing's currency: 0 to 1000, at most two decimals",
});

// `null` (or `""`, as an emptied form field sends it) means the record does not ship abroad.
const ShippingInternational = z
  .preprocess(blankToNull, shippingAmount("International shipping", "a number or null").nullable())
  .openapi({
    example: 15,
    description: "Shipping to any other country: 0 to 1000, at most two decimals; `null`: does not ship abroad",
  });

const Genre = z.enum(GENRES, { error: `Genre must be one of: ${GENRES.join(", ")}` });

const MediaCondition = z.preprocess(
  blankToNull,
  z.enum(MEDIA_GRADES, { error: `Media condition must be one of: ${MEDIA_GRADES.join(", ")}` }).nullable(),
);
const SleeveCondition = z.preprocess(
  blankToNull,
  z.enum(SLEEVE_GRADES, { error: `Sleeve condition must be one of: ${SLEEVE_GRADES.join(", ")}` }).nullable(),
);

const Year = z.preprocess(
  blankToNull,
  z
    .number({ error: "Year must be a whole number" })
    .int({ error: "Year must be a whole number" })
    // The upper bound moves with the calendar, so it is checked when the value arrives.
    .refine((y) => y >= 1890 && y <= new Date().getUTCFullYear() + 1, {
      error: "Year must be between 1890 and next year",
    })
    .nullable(),
);

const ImageUrl = z.preprocess(
  blankToNull,
  z
    .string({ error: "Image URL must be text" })
    .refine((url) => keyFromImageUrl(url) !== null, { error: "Image must be an image uploaded to this shop" })
    .nullable()
    .openapi({ description: "An `imageUrl` answered by `POST /api/vinyls/images`", example: "/images/<sha256>.jpg" }),
);

const optionalFields = {
  artist: optionalText("Artist", MAX_ARTIST_LENGTH).optional(),
  description: optionalText("Description", 4000).optional(),
  imageUrl: ImageUrl.optional(),
  mediaCondition: MediaCondition.optional(),
  sleeveCondition: SleeveCondition.optional(),
  format: optionalText("Format", 100).optional().openapi({ example: "LP, 180g" }),
  year: Year.optional(),
  label: optionalText("Label", 200).optional(),
  shipsFrom: ShipsFrom.optional(),
  shippingDomestic: ShippingDomestic.optional(),
  shippingInternational: ShippingInternational.optional(),
};

const NOT_AN_OBJECT = { error: "Request body must be a JSON object" };

export const VinylCreate = z
  .object({ title: Title, price: Price, genre: Genre, ...optionalFields }, NOT_AN_OBJECT)
  .openapi("VinylCreate");

/** Every field optional: what is omitted keeps its value. */
export const VinylUpdate = z
  .object({ title: Title.optional(), price: Price.optional(), genre: Genre.optional(), ...optionalFields }, NOT_AN_OBJECT)
  .openapi("VinylUpdate");

export type VinylCreateInput = z.infer<typeof VinylCreate>;
export type VinylUpdateInput = z.infer<typeof VinylUpdate>;

// A query string field left empty by a browse form means "any", not an error.
const query = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

const Amount = (label: string) =>
  z
    .string()
    .transform((text, ctx) => {
      const cents = parseCents(text.trim());
      if (cents === null) {
        ctx.addIssue({ code: "custom", message: `${label} must be a non-negative amount with at most 2 decimal places` });
        return z.NEVER;
      }
      return cents;
    })
    .openapi({ type: "string", example: "25.00" });

const Limit = z
  .string()
  .regex(/^\d{1,3}$/, { error: "Limit must be a whole number from 1 to 100" })
  .transform(Number)
  .refine((n) => n >= 1 && n <= 100, { error: "Limit must be a whole number from 1 to 100" })
  .openapi({ type: "string", example: "24" });

export const DEFAULT_LIMIT = 24;

export const ListQuery = z
  .object({
    genre: query(z.enum(GENRES, { error: "Genre must be one of the shop's genres" })),
    q: query(
      z
        .string()
        .max(MAX_QUERY_LENGTH, { error: `Search text must be at most ${MAX_QUERY_LENGTH} characters` })
        .openapi({ description: "Words to find in title, artist, label or description; each word may be a prefix" }),
    ),
    minPrice: query(Amount("minPrice")),
    maxPrice: query(Amount("maxPrice")),
    condition: query(
      z
        .enum(MEDIA_GRADES, { error: `Condition must be one of: ${MEDIA_GRADES.join(", ")}` })
        .openapi({ description: "Media grade at least this good (M > NM > VG+ > VG > G+ > G > F > P)" }),
    ),
    sort: query(z.enum(SORTS, { error: `Sort must be one of: ${SORTS.join(", ")}` })),
    limit: query(Limit),
    seller: query(
      z
        .string()
        .trim()
        .toLowerCase()
        .regex(USERNAME_PATTERN, { error: "Seller must be a username" })
        .openapi({ description: "Only this seller's records (a username, any case); an unknown one lists nothing", example: "demo-seller" }),
    ),
    cursor: query(z.string().openapi({ description: "From the `Link: rel=\"next\"` header of the previous page" })),
  })
  .refine((q) => q.minPrice === undefined || q.maxPrice === undefined || q.minPrice <= q.maxPrice, {
    error: "maxPrice must not be below minPrice",
    path: ["maxPrice"],
  });

export const MineQuery = z.object({ limit: query(Limit), cursor: query(z.string()) });
