import { and, gte, ne, sql } from "drizzle-orm";
import type { vinylData } from "../../../schema/events";
import { wants } from "../../../schema/tables/notifications";
import type { z } from "zod";
import type { Database } from "./db";
import { mediaRank } from "./want-criteria";
import { listingWords, probesOf, wordsOf } from "./words";

export { probesOf };

type Vinyl = z.infer<typeof vinylData>;

export type Candidate = Pick<typeof wants.$inferSelect, "id" | "userId" | "terms" | "artistKey" | "genre" | "minRank">;

/** Whether a want found by its match key meets every one of its criteria. */
export function meets(want: Candidate, vinyl: Vinyl, words: readonly string[]): boolean {
  if (want.genre && want.genre !== vinyl.genre) return false;
  if (want.minRank > 0 && (!vinyl.mediaCondition || mediaRank(vinyl.mediaCondition) < want.minRank)) return false;
  if (want.artistKey && want.artistKey !== wordsOf(vinyl.artist).join(" ")) return false;
  const terms = JSON.parse(want.terms) as string[];
  return terms.every((term) => words.some((word) => word.startsWith(term)));
}

/**
 * The wants `vinyl` matches, its seller's own excepted. One indexed read: the wants whose
 * match key is one of the listing's probes and whose price cap allows its price, so the
 * rows read are the candidates, never the whole wantlist; the other criteria are checked
 * on those rows.
 */
export async function matchingWants(db: Database, vinyl: Vinyl) {
  const candidates = await db
    .select({ id: wants.id, userId: wants.userId, terms: wants.terms, artistKey: wants.artistKey, genre: wants.genre, minRank: wants.minRank })
    .from(wants)
    .where(
      and(
        sql`${wants.matchKey} in (select value from json_each(${JSON.stringify(probesOf(vinyl))}))`,
        gte(wants.priceCap, vinyl.priceCents),
        ne(wants.userId, vinyl.userId),
      ),
    );
  const words = listingWords(vinyl);
  return candidates.filter((want) => meets(want, vinyl, words));
}
