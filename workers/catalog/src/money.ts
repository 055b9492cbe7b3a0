/** Prices travel as decimal amounts and are stored as integer minor units (cents). */

export const MAX_PRICE_CENTS = 100_000_00;

/** The most a listing may charge for shipping, at home or abroad: $1,000. */
export const MAX_SHIPPING_CENTS = 1_000_00;

/** What a listing charges for shipping when the seller does not say (and what listings from before shipping were given). */
export const DEFAULT_SHIPS_FROM = "US";
export const DEFAULT_SHIPPING_DOMESTIC_CENTS = 5_00;

/**
 * The cents of a JSON number with at most two decimal places, or null when it has more.
 * Exact: `Math.round(amount * 100)` absorbs the binary error of `19.99 * 100`, and dividing
 * back must give the very same double, which only holds for two-place decimals.
 *
 * @example toCents(19.99) // 1999
 * @example toCents(19.999) // null
 */
export function toCents(amount: number): number | null {
  if (!Number.isFinite(amount)) return null;
  const cents = Math.round(amount * 100);
  return Number.isSafeInteger(cents) && cents / 100 === amount ? cents : null;
}

/** The decimal amount the API speaks; `1999 / 100` is exactly the double nearest 19.99. */
export const fromCents = (cents: number) => cents / 100;

const DECIMAL = /^(\d{1,9})(?:\.(\d{1,2}))?$/;

/**
 * Cents from decimal text such as a query string's `19.9`, without going through a float;
 * null for anything else (signs, exponents, more than two places).
 */
export function parseCents(text: string): number | null {
  const match = DECIMAL.exec(text);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}
