import { MEDIA_GRADES, type GENRES } from "../../../schema/events";
import { head, wordsOf } from "./words";

/** A media grade as a number, higher is better: M = 8 … P = 1 (as catalog's `media_rank`). */
export const mediaRank = (grade: (typeof MEDIA_GRADES)[number]) => MEDIA_GRADES.length - MEDIA_GRADES.indexOf(grade);

/** The most words a want's text may use (as a search's). */
export const MAX_TERMS = 16;

export type Criteria = {
  q: string | null;
  artist: string | null;
  genre: (typeof GENRES)[number] | null;
  condition: (typeof MEDIA_GRADES)[number] | null;
  maxPriceCents: number | null;
};

/**
 * What a want is stored and matched by. The match key is the one criterion a new listing
 * finds the want through, the most selective the want has: the whole artist, else its
 * longest word (a listing probes every prefix of its own words), else the genre.
 */
export function indexed(c: Criteria) {
  const terms = [...new Set(wordsOf(c.q))].slice(0, MAX_TERMS);
  const artistKey = c.artist ? wordsOf(c.artist).join(" ") || null : null;
  const longest = terms.reduce((a, b) => (Array.from(b).length > Array.from(a).length ? b : a), "");
  const matchKey = artistKey ? `a:${artistKey}` : longest ? `t:${head(longest)}` : c.genre ? `g:${c.genre}` : null;
  const minRank = c.condition ? mediaRank(c.condition) : 0;
  const criteria = JSON.stringify([terms, artistKey, c.genre, c.condition, c.maxPriceCents]);
  return { terms, artistKey, matchKey, minRank, criteria };
}
