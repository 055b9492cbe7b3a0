import { isId } from "../lib/api";
import { readFilters } from "../lib/browse";
import { isUsername } from "../lib/sellers-api";

// The browse page reads these and nothing else (src/pages/vinyls/index.astro), in this order.
const BROWSE_FILTERS = ["q", "genre", "condition", "minPrice", "maxPrice", "sort"] as const;

function browsePage(params: URLSearchParams): string {
  // Exactly what the page makes of its query: the first value of each filter, trimmed, an
  // empty one the same as none, and the cursor as given. Anything else is left out.
  const filters = readFilters(params);
  const query = new URLSearchParams();
  for (const name of BROWSE_FILTERS) if (filters[name]) query.set(name, filters[name]);
  const cursor = params.get("cursor");
  if (cursor) query.set("cursor", cursor);
  return query.size > 0 ? `/vinyls?${query}` : "/vinyls";
}

/** A seller's page reads only its cursor (src/pages/sellers/[username].astro). */
function sellerPage(path: string, params: URLSearchParams): string {
  const cursor = params.get("cursor");
  return cursor ? `${path}?${new URLSearchParams({ cursor })}` : path;
}

/**
 * The pages an anonymous visitor may be served from the edge cache: home, browse, a record
 * and a seller's page. Answers the page's path and query in one canonical form, so that every request
 * showing the same page shares one copy and a stray query parameter can neither split the
 * cache nor reach the copy others are served; null for every other page.
 */
export function sharedPage(url: URL): string | null {
  const path = url.pathname;
  if (path === "/") return "/";
  if (path === "/vinyls") return browsePage(url.searchParams);
  if (path.startsWith("/vinyls/")) {
    const id = path.slice("/vinyls/".length);
    // `?listed` and `?saved` greet a seller who just listed or edited; never shared.
    if (!isId(id) || url.searchParams.has("listed") || url.searchParams.has("saved")) return null;
    return path;
  }
  // A name in capitals is redirected to its lower-case page, which is the one kept.
  if (path.startsWith("/sellers/") && isUsername(path.slice("/sellers/".length))) return sellerPage(path, url.searchParams);
  return null;
}
