import { MEDIA_GRADES } from "../../../schema/events";
import type { vinyls } from "../../../schema/tables/catalog";

type Listing = Pick<typeof vinyls.$inferInsert, "genre" | "priceCents" | "mediaCondition">;

export const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** A media grade's place, best highest; ungraded below every grade. */
export const rank = (g: string | null | undefined) => (g ? MEDIA_GRADES.length - MEDIA_GRADES.indexOf(g as never) : 0);

/** The list's filters as a query and as the predicate a listing must pass: name, query, predicate. */
export const FILTERS: [string, string, (r: Listing) => boolean][] = [
  ["no filter", "", () => true],
  ["a genre", "genre=Jazz", (r) => r.genre === "Jazz"],
  ["a price range", "minPrice=9.99&maxPrice=50", (r) => r.priceCents >= 999 && r.priceCents <= 5000],
  ["a condition", "condition=VG", (r) => rank(r.mediaCondition) >= rank("VG")],
  ["all filters at once", "genre=Rock&minPrice=5&maxPrice=1000&condition=G", (r) =>
    r.genre === "Rock" && r.priceCents >= 500 && r.priceCents <= 100000 && rank(r.mediaCondition) >= rank("G")],
];
