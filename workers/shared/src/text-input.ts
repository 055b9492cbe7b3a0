import { z } from "@hono/zod-openapi";

/**
 * Rules for text every service takes from clients. A lone UTF-16 surrogate is stored as
 * U+FFFD (three bytes), so such text would outgrow the length it was checked at; it is
 * never real text, and is refused (docs/decisions.md, "Text must be well-formed Unicode").
 */
export const wellFormed = (label: string) => [(s: string) => s.isWellFormed(), { error: `${label} must be valid text` }] as const;

/** An emptied form field (`""`) means "none", as `null` does. */
export const blankToNull = (v: unknown) => (v === "" ? null : v);

/** Optional text: trimmed, at most `max` characters; `null` or blank means none. */
export const optionalText = (label: string, max: number) =>
  z
    .string({ error: `${label} must be text` })
    .refine(...wellFormed(label))
    .trim()
    .max(max, { error: `${label} must be at most ${max} characters` })
    .nullable()
    .transform((v) => v || null);
