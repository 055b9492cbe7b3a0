import type { ListQuery } from "./catalog-api";
import { formatPrice, genreName, gradeLabel, isGenre, isMediaGrade } from "./vinyl-format";

/** The browse form's values, as the shopper typed them (kept to fill the form again). */
export type Filters = Record<"q" | "genre" | "condition" | "minPrice" | "maxPrice" | "sort", string>;

export const SORT_OPTIONS = [
  { value: "newest", label: "Newest first" },
  { value: "price_asc", label: "Price: low to high" },
  { value: "price_desc", label: "Price: high to low" },
] as const;

const FILTER_NAMES = ["q", "genre", "condition", "minPrice", "maxPrice", "sort"] as const;

/** The filters in the browse page's query string; missing ones are `""`. */
export function readFilters(params: URLSearchParams): Filters {
  const filters = {} as Filters;
  for (const name of FILTER_NAMES) filters[name] = (params.get(name) ?? "").trim();
  return filters;
}

/** The filters that narrow the list (the sort order does not). */
export const isFiltered = (f: Filters) => Boolean(f.q || f.genre || f.condition || f.minPrice || f.maxPrice);

/** The filters as a query string for the browse page: no empty values, no default sort. */
export function filterParams(f: Filters): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = f[name];
    if (value && !(name === "sort" && value === "newest")) params.set(name, value);
  }
  return params;
}

/** `/vinyls` with these filters, at the page after `cursor` when given. */
export function browseHref(f: Filters, cursor: string | null = null): string {
  const params = filterParams(f);
  if (cursor) params.set("cursor", cursor);
  return params.size > 0 ? `/vinyls?${params}` : "/vinyls";
}

/** What to ask `GET /api/vinyls` for this page. */
export function apiQuery(f: Filters, cursor: string | null, limit: number): ListQuery {
  const query: ListQuery = Object.fromEntries(filterParams(f));
  if (cursor) query.cursor = cursor;
  query.limit = String(limit);
  return query;
}

const money = (text: string) => {
  const amount = Number(text);
  return Number.isFinite(amount) ? formatPrice(amount, "USD") : text;
};

/** The filters in words, for a heading or an empty result: `“miles”, Jazz, VG+ Very Good Plus or better, $10.00 to $50.00`. */
export function describeFilters(f: Filters): string {
  const parts: string[] = [];
  if (f.q) parts.push(`“${f.q}”`);
  if (f.genre) parts.push(isGenre(f.genre) ? genreName(f.genre) : f.genre);
  if (f.condition) parts.push(isMediaGrade(f.condition) ? `${gradeLabel(f.condition)} or better` : f.condition);
  if (f.minPrice && f.maxPrice) parts.push(`${money(f.minPrice)} to ${money(f.maxPrice)}`);
  else if (f.minPrice) parts.push(`at least ${money(f.minPrice)}`);
  else if (f.maxPrice) parts.push(`at most ${money(f.maxPrice)}`);
  return parts.join(", ");
}
