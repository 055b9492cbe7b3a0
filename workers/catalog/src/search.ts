import { integer, sqliteTable } from "drizzle-orm/sqlite-core";
import type { GENRES } from "../../../schema/vocabulary";

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

/**
 * The full-text index over listings (schema/migrations/catalog), as far as a query joins it:
 * its rowid is the listing's `seq`. Declared here, not in schema/tables, where drizzle-kit
 * would take it for a plain table to create.
 */
export const vinylsSearch = sqliteTable("vinyls_search", { rowid: integer("rowid").notNull() });

/**
 * The MATCH for a search of the records for sale: the terms of `toFtsQuery` in the text
 * columns, status `available`, and the genre when one is chosen. The index holds status and
 * genre too, so FTS5 itself keeps only those matches and a page of them is read in order
 * without reading what it would drop; the terms are kept to the text columns so that "sold"
 * or a genre's name typed as text finds only what it finds in the text.
 *
 * @example searchMatch('"blue"*', "Jazz") // '{title artist label description} : ("blue"*) AND status : "available" AND genre : "Jazz"'
 */
export function searchMatch(terms: string, genre?: (typeof GENRES)[number]): string {
  const text = `{title artist label description} : (${terms}) AND status : "available"`;
  // Each status and genre is one word of letters: as a phrase, exactly that one token.
  return genre ? `${text} AND genre : "${genre}"` : text;
}
