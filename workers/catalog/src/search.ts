/** Longest search text accepted, and the most terms one search may use. */
export const MAX_QUERY_LENGTH = 200;
const MAX_TERMS = 16;

// A term is a run of letters, digits and combining marks; everything else separates terms.
const TERM = /[\p{L}\p{N}\p{M}]+/gu;

/**
 * An FTS5 query for what a shopper typed, or null when it holds nothing searchable.
 * Each term becomes a quoted prefix phrase (`"beat"*`), so FTS5 syntax in the input
 * (quotes, `*`, `-`, `:`, parentheses, `NEAR`, `AND`/`OR`/`NOT`) is matched as plain words
 * and can never make the query invalid. Terms are ANDed: every word must match somewhere.
 *
 * @example toFtsQuery('miles "kind of') // '"miles"* "kind"* "of"*'
 */
export function toFtsQuery(text: string): string | null {
  const terms = text.normalize("NFC").match(TERM)?.slice(0, MAX_TERMS) ?? [];
  // A term of combining marks alone tokenizes to nothing; as a phrase it would match nothing.
  const usable = terms.filter((t) => /[\p{L}\p{N}]/u.test(t));
  if (usable.length === 0) return null;
  return usable.map((t) => `"${t}"*`).join(" ");
}
