// Free of imports, so the benchmark (scripts/bench/wantlist.mjs) runs the same code in Node.

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

/** What a listing is matched on. */
export type ListingText = { title: string; artist: string | null; label: string | null; description: string | null; genre: string };

/** Every word of a listing's text, folded. */
export const listingWords = (v: ListingText) => [v.title, v.artist, v.label, v.description].flatMap(wordsOf);

/**
 * The match keys a listing answers to (src/want-criteria.ts): its artist whole, every
 * prefix of every word of its text (a want's word matches the beginning of a listing's
 * word, as a search does), and its genre.
 */
export function probesOf(vinyl: ListingText): string[] {
  const probes = new Set<string>();
  for (const word of new Set(listingWords(vinyl))) for (const prefix of prefixesOf(word)) probes.add(`t:${prefix}`);
  const artist = wordsOf(vinyl.artist).join(" ");
  if (artist) probes.add(`a:${artist}`);
  probes.add(`g:${vinyl.genre}`);
  return [...probes];
}
