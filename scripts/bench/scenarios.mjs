// What the benchmark loads. Every request goes through the storefront's public entry, as a
// shopper's would; only the bare Worker and the D1 floor are Workers of the bench's own.
import { BARE_PATH, CEILING_PATH, D1_FLOOR_PATH, D1_WRITE_FLOOR_PATH } from "./miniflare-system.mjs";

/** Page size of the list and the browse page (the API's default, the browse page's own). */
export const PAGE_SIZE = 24;

// A title word the seeded catalog uses in about one listing in a hundred.
const SEARCH = "midnight";
const GENRE = "Jazz";

/**
 * Each scenario: `catalog` marks the ones the D1 and N budgets apply to. `values` names the
 * list each request takes its next value from (`{value}`); `distinct` never repeats one.
 * Pages are asked for as a signed-in shopper: such pages are never cached at the edge, so
 * they measure the render. `browse-cached` asks anonymously, the way the edge cache serves.
 */
export const SCENARIOS = [
  // A constant from a trivial route on the storefront's Worker, before any of the shop's code.
  { id: "ceiling", title: "constant response on the storefront's Worker (ceiling)", path: CEILING_PATH, benchOnly: true },
  // Only in the gating mode: the same constant from a bare Worker, for how much the runtime's
  // entry to the storefront (asset router, isolate) costs; its ratio is above 1.
  { id: "bare", title: "constant response from a bare Worker", path: BARE_PATH, benchOnly: true },
  // The storefront's constant 404 for an unknown API path: what its entry costs before any
  // service is called. In wrangler dev, where the bench cannot add a Worker, the ceiling.
  { id: "edge-404", title: "storefront constant 404", path: "/api/__bench/constant" },
  // Only in the gating mode: the cost of one D1 round trip in this instance, with no product code.
  { id: "d1-floor", title: "select 1 through a D1 binding (bench Worker)", path: D1_FLOOR_PATH, benchOnly: true },
  // Only in the gating mode: one write transaction committed, with no product code; an order
  // cannot cost less than entering the shop, a read and this.
  { id: "d1-write-floor", title: "one write transaction through a D1 binding (bench Worker)", path: D1_WRITE_FLOOR_PATH, benchOnly: true },
  { id: "d1-write-10", title: "ten inserts in one write transaction (bench Worker)", path: `${D1_WRITE_FLOOR_PATH}/10`, benchOnly: true },
  { id: "api-list", title: "GET /api/vinyls", path: "/api/vinyls", catalog: true },
  { id: "api-genre", title: `GET /api/vinyls?genre=${GENRE}`, path: `/api/vinyls?genre=${GENRE}`, catalog: true },
  { id: "api-search", title: `GET /api/vinyls?q=${SEARCH}`, path: `/api/vinyls?q=${SEARCH}`, catalog: true },
  { id: "api-record", title: "GET /api/vinyls/:id", path: "/api/vinyls/{value}", values: "records", catalog: true },
  { id: "page-browse", title: "browse page /vinyls (rendered)", path: "/vinyls", signedIn: true, page: true },
  { id: "page-record", title: "record page /vinyls/:id (rendered)", path: "/vinyls/{value}", values: "records", signedIn: true, page: true },
  { id: "browse-cached", title: "browse page /vinyls, anonymous repeat", path: "/vinyls", page: true },
  {
    id: "orders",
    title: "POST /api/orders (distinct records, a buyer each)",
    method: "POST",
    path: "/api/orders",
    body: '{"vinylId":"{value}"}',
    values: "orderable",
    distinct: true,
    // A buyer of its own for every order: a buyer may hold only a few records at once.
    buyerEach: true,
    // Each request reserves a record for good: no warm-up, and it runs last.
    consumes: true,
  },
  {
    id: "drop",
    title: "a record drop: R records, B buyers each ordering every one at once",
    method: "POST",
    path: "/api/orders",
    values: "dropping",
    drop: true,
    consumes: true,
  },
];

/** A drop: this many records go on sale, and this many buyers each try to order every one of them at once. */
export const DROP = { records: 10, buyers: 60 };

export const DEFAULT_SCENARIOS = SCENARIOS.map((s) => s.id);

/** The ceiling a mode measures against: the storefront's trivial route, or its constant 404 in wrangler dev. */
export const ceilingOf = (mode) => (mode === "dev" ? "edge-404" : "ceiling");

/**
 * Splits the seeded records for sale into the ones read, the ones ordered one by one and the
 * ones dropped, so no order meets a read and no drop meets an order.
 */
export function valueLists(rows) {
  const forSale = rows.filter((r) => r.status === "available").map((r) => r.id);
  // Every 7th record is read; the rest may be ordered. Both spread over the whole catalog.
  const records = forSale.filter((_, i) => i % 7 === 0).slice(0, 5_000);
  const rest = forSale.filter((_, i) => i % 7 !== 0);
  // Drops take theirs from the end (a third, at most a hundred drops' worth), orders from the start.
  const dropping = rest.slice(rest.length - Math.min(100 * DROP.records, Math.floor(rest.length / 3)));
  const orderable = rest.slice(0, rest.length - dropping.length);
  return { records, orderable, dropping };
}
