import { MEDIA_GRADES } from "../../../schema/events";

/**
 * Text as wants and listings are compared: lower case, without diacritics, so "Björk"
 * and "bjork" are the same word (catalog's search folds the same way).
 */
export const fold = (text: string) => text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase();

// A word is a run of letters and digits; everything else separates words.
const WORD = /[\p{L}\p{N}]+/gu;

/** The folded words of `text`, in order. */
export const wordsOf = (text: string | null | undefined): string[] => (text ? (fold(text).match(WORD) ?? []) : []);

/**
 * Match keys carry at most this many characters of a word: a longer word in a want is
 * looked up by its first 32, and checked whole afterwards.
 */
export const KEY_CHARS = 32;

/** The first `n` characters (code points, so no surrogate pair is split). */
export const head = (word: string, n = KEY_CHARS) => Array.from(word).slice(0, n).join("");

/** Every prefix of `word` up to `KEY_CHARS` characters: `miles` → `m`, `mi`, `mil`, `mile`, `miles`. */
export function prefixesOf(word: string): string[] {
  const chars = Array.from(word).slice(0, KEY_CHARS);
  return chars.map((_, i) => chars.slice(0, i + 1).join(""));
}

/** A media grade as a number, higher is better: M = 8 … P = 1 (as catalog's `media_rank`). */
export const mediaRank = (grade: (typeof MEDIA_GRADES)[number]) => MEDIA_GRADES.length - MEDIA_GRADES.indexOf(grade);
