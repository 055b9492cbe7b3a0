// Turns raw load results into the table and the budget verdicts. Pure: no I/O.
import { PAGE_SIZE, SCENARIOS, ceilingOf } from "./scenarios.mjs";
import { timingSummary } from "./server-timing.mjs";

export const BUDGET = {
  /** N at which the throughput ratios are judged. */
  ratioSize: 10_000,
  apiList: 0.3,
  page: 0.2,
  cachedHit: 0.8,
  /** Rows read per catalog request at most: twice the page plus a little. */
  rowsRead: 2 * PAGE_SIZE + 10,
  /** Throughput (as a ratio to the ceiling) kept at the largest N against the smallest. */
  keptAtScale: 0.9,
  /** `POST /api/orders`, each for another record by another buyer, as a ratio to the ceiling. */
  orders: 0.2,
  /** A drop's attempts per second, as a share of `GET /api/vinyls/:id`'s requests per second. */
  dropOfRecordRead: 0.5,
  pageJsGzipBytes: 5 * 1024,
  /** Each image a browse page makes a browser load. */
  browseImageBytes: 40 * 1024,
  startupMs: 100,
};

const byId = Object.fromEntries(SCENARIOS.map((s) => [s.id, s]));

/**
 * One row per mode, N and scenario: requests/s, latency, the ratio to the ceiling of the same
 * instance measured alternately with it, and the D1 cost its responses reported.
 */
export function rows(runs) {
  return combineRounds(roundRows(runs));
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const present = (values) => values.filter((v) => v != null);
const medianOf = (values) => (present(values).length ? median(present(values)) : null);

/**
 * With `--rounds`, each mode and N ran more than once, alternating with the other sizes: one
 * row each, its figures the median of the rounds' (the ratio's own median, not a ratio of
 * medians), the D1 cost the worst round's, and `ratios` every round's ratio.
 */
function combineRounds(table) {
  const groups = new Map();
  for (const row of table) {
    const key = `${row.mode}\u0000${row.n}\u0000${row.scenario}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((group) => {
    if (group.length === 1) return group[0];
    const of = (field) => group.map((r) => r[field]);
    return {
      ...group[0],
      requests: of("requests").reduce((a, b) => a + b, 0),
      rps: medianOf(of("rps")),
      p50: medianOf(of("p50")),
      p99: medianOf(of("p99")),
      ceilingRps: medianOf(of("ceilingRps")),
      ratio: medianOf(of("ratio")),
      ratios: of("ratio"),
      non2xx: of("non2xx").reduce((a, b) => a + b, 0),
      errors: of("errors").reduce((a, b) => a + b, 0),
      d1Trips: present(of("d1Trips")).length ? Math.max(...present(of("d1Trips"))) : null,
      d1MaxTrips: present(of("d1MaxTrips")).length ? Math.max(...present(of("d1MaxTrips"))) : null,
      rowsRead: present(of("rowsRead")).length ? Math.max(...present(of("rowsRead"))) : null,
      maxRowsRead: present(of("maxRowsRead")).length ? Math.max(...present(of("maxRowsRead"))) : null,
      cacheHitShare: present(of("cacheHitShare")).length ? Math.min(...present(of("cacheHitShare"))) : null,
      drops: group.some((r) => r.drops) ? group.flatMap((r) => r.drops ?? []) : undefined,
      server5xx: of("server5xx").reduce((a, b) => a + b, 0),
    };
  });
}

/** One row per run (a mode, an N and a round) and scenario. */
function roundRows(runs) {
  const out = [];
  for (const run of runs) {
    const ceiling = run.results[ceilingOf(run.mode)]?.rps ?? null;
    for (const [id, r] of Object.entries(run.results)) {
      const timing = timingSummary(r.timing);
      const hits = (r.cache?.HIT ?? 0) + (r.cache?.STALE ?? 0);
      const cacheable = Object.values(r.cache ?? {}).reduce((a, b) => a + b, 0);
      out.push({
        mode: run.mode,
        n: run.n,
        scenario: id,
        title: byId[id]?.title ?? id,
        requests: r.requests,
        rps: r.rps,
        p50: r.p50,
        p99: r.p99,
        // Divided by the ceiling measured in slices alternating with it, or its own run for the ceiling.
        ceilingRps: r.ceilingRps ?? ceiling,
        ratio: (r.ceilingRps ?? ceiling) ? r.rps / (r.ceilingRps ?? ceiling) : null,
        non2xx: r.non2xx,
        errors: r.errors + r.timeouts,
        statuses: r.statuses,
        d1Trips: timing.trips,
        d1MaxTrips: timing.maxTrips,
        rowsRead: timing.rowsRead,
        maxRowsRead: timing.maxRowsRead,
        // Null when no response said whether the edge cache answered it.
        cacheHitShare: Object.keys(r.cache ?? {}).some((k) => k !== "none") ? hits / cacheable : null,
        server5xx: Object.entries(r.statuses ?? {}).reduce((sum, [status, count]) => sum + (Number(status) >= 500 ? count : 0), 0),
        // A drop's rounds: records on sale, attempts and winners of each.
        drops: r.drop ? r.drop.rounds.map((round) => ({ ...round, records: r.drop.records, buyers: r.drop.buyers })) : undefined,
      });
    }
  }
  return out;
}

const find = (table, mode, n, scenario) => table.find((r) => r.mode === mode && r.n === n && r.scenario === scenario);

/** Every budget the benchmark can judge, with the numbers behind each verdict. */
export function budgets(table, { workers = [], pages = [] } = {}) {
  const gating = table.filter((r) => r.mode === "miniflare");
  const sizes = [...new Set(gating.map((r) => r.n))].sort((a, b) => a - b);
  const out = [];
  const check = (budget, measured, pass, detail = "") => out.push({ budget, measured, pass, detail });
  const fmt = (x, digits = 2) => (x == null ? "n/a" : x.toFixed(digits));

  const atSize = sizes.includes(BUDGET.ratioSize) ? BUDGET.ratioSize : sizes.at(-1);
  for (const [id, floor] of [["api-list", BUDGET.apiList], ["page-browse", BUDGET.page], ["page-record", BUDGET.page]]) {
    const row = find(gating, "miniflare", atSize, id);
    // Three places: at two, a ratio just under its line would read as the line and fail.
    if (row) check(`${id} ≥ ${floor} of the ceiling (N = ${atSize})`, fmt(row.ratio, 3), row.ratio != null && row.ratio >= floor);
  }
  const cached = find(gating, "miniflare", atSize, "browse-cached");
  if (cached) {
    const hit = cached.cacheHitShare;
    check(
      `cached browse hit ≥ ${BUDGET.cachedHit} of the ceiling (N = ${atSize})`,
      fmt(cached.ratio, 3),
      hit != null && hit > 0.9 && cached.ratio >= BUDGET.cachedHit,
      hit == null ? "no x-cache header: the edge cache is not in this build" : `${Math.round(hit * 100)} % of responses were cache hits`,
    );
  }
  const orders = find(gating, "miniflare", atSize, "orders");
  if (orders) {
    // Every request is a different record for a buyer of its own: anything but 201 is a failure.
    check(
      `orders ≥ ${BUDGET.orders} of the ceiling (N = ${atSize}), every one 201`,
      fmt(orders.ratio, 3),
      orders.ratio != null && orders.ratio >= BUDGET.orders && orders.non2xx === 0,
      `${orders.non2xx} × non-2xx, ${orders.server5xx} × 5xx`,
    );
  }
  for (const drop of gating.filter((r) => r.scenario === "drop")) {
    const read = find(gating, "miniflare", drop.n, "api-record");
    const share = read?.rps ? drop.rps / read.rps : null;
    check(
      `drop (N = ${drop.n}): attempts/s ≥ ${BUDGET.dropOfRecordRead} of api-record's`,
      fmt(share, 3),
      share != null && share >= BUDGET.dropOfRecordRead,
      read ? `${num(drop.rps)} attempts/s against ${num(read.rps)} reads/s; p50 ${num(drop.p50, 1)} ms, p99 ${num(drop.p99, 1)} ms` : "api-record did not run",
    );
    const rounds = drop.drops ?? [];
    const exact = rounds.length > 0 && rounds.every((d) => d.winners === d.records);
    check(
      `drop (N = ${drop.n}): exactly R winners in every drop, no 5xx`,
      `${rounds.length} drops, ${drop.server5xx} × 5xx`,
      exact && drop.server5xx === 0,
      `R = ${rounds[0]?.records ?? "?"}, B = ${rounds[0]?.buyers ?? "?"}; winners ${[...new Set(rounds.map((d) => d.winners))].join(", ")}`,
    );
  }
  for (const row of gating.filter((r) => byId[r.scenario]?.catalog || r.scenario === "page-record")) {
    check(`${row.scenario} (N = ${row.n}): one D1 round trip`, `${fmt(row.d1Trips)} mean, ${row.d1MaxTrips ?? "n/a"} max`, row.d1MaxTrips === 1 && row.d1Trips === 1);
  }
  for (const row of gating.filter((r) => byId[r.scenario]?.catalog)) {
    check(`${row.scenario} (N = ${row.n}): rows read ≤ ${BUDGET.rowsRead}`, `${fmt(row.rowsRead, 0)} mean, ${row.maxRowsRead ?? "n/a"} max`, row.maxRowsRead != null && row.maxRowsRead <= BUDGET.rowsRead);
  }
  if (sizes.length > 1) {
    const [small, large] = [sizes[0], sizes.at(-1)];
    for (const id of SCENARIOS.filter((s) => s.catalog).map((s) => s.id)) {
      const a = find(gating, "miniflare", small, id);
      const b = find(gating, "miniflare", large, id);
      if (!a || !b || a.ratio == null || b.ratio == null) continue;
      const kept = b.ratio / a.ratio;
      check(`${id}: N = ${large} keeps ≥ ${BUDGET.keptAtScale} of N = ${small}`, fmt(kept), kept >= BUDGET.keptAtScale, `ratio to ceiling ${fmt(a.ratio)} → ${fmt(b.ratio)}`);
    }
  }
  for (const page of pages) {
    check(`${page.page}: ≤ 5 KB gzipped JavaScript`, `${page.jsGzipBytes} B`, page.jsGzipBytes <= BUDGET.pageJsGzipBytes);
  }
  const browse = pages.find((p) => p.page === "/vinyls");
  if (browse?.images) {
    const largest = Math.max(0, ...browse.images.map((i) => i.bytes));
    const photos = browse.images.filter((i) => i.photo);
    check(
      `/vinyls: each image ≤ ${BUDGET.browseImageBytes / 1024} KB`,
      `${num(largest)} B largest`,
      browse.images.length > 0 && largest <= BUDGET.browseImageBytes,
      `${browse.images.length} images (${photos.length} photos), ${num(browse.images.reduce((a, i) => a + i.bytes, 0))} B in all; largest size offered ${num(Math.max(0, ...browse.images.map((i) => i.largestOffered)))} B`,
    );
  }
  for (const w of workers) {
    check(`${w.worker}: startup ≤ ${BUDGET.startupMs} ms`, w.startupMs == null ? "n/a" : `${w.startupMs} ms`, w.startupMs != null && w.startupMs <= BUDGET.startupMs);
  }
  return out;
}

const pad = (text, width, right = false) => (right ? String(text).padStart(width) : String(text).padEnd(width));

/** A plain-text table, one column per field, numbers right-aligned. */
export function textTable(headers, body) {
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const numeric = headers.map((_, i) => body.every((r) => /^[-\d.,% ]*$|^n\/a$/.test(String(r[i]))));
  const line = (cells) => cells.map((c, i) => pad(c, widths[i], numeric[i])).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

const num = (x, digits = 0) => (x == null ? "n/a" : x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }));

/** The load table as text. */
export function loadTable(table) {
  return textTable(
    ["mode", "N", "scenario", "req/s", "p50 ms", "p99 ms", "ceiling", "ratio", "D1 trips", "rows read", "non-2xx", "cache hits"],
    table.map((r) => [
      r.mode,
      num(r.n),
      r.scenario,
      num(r.rps),
      num(r.p50, 1),
      num(r.p99, 1),
      num(r.ceilingRps),
      r.ratio == null ? "n/a" : r.ratios ? `${r.ratio.toFixed(2)} (${r.ratios.map((x) => x?.toFixed(2) ?? "n/a").join(" ")})` : r.ratio.toFixed(2),
      r.d1Trips == null ? "-" : num(r.d1Trips, 2),
      r.rowsRead == null ? "-" : `${num(r.rowsRead, 0)} (max ${r.maxRowsRead})`,
      num(r.non2xx),
      r.cacheHitShare == null ? "-" : `${Math.round(r.cacheHitShare * 100)} %`,
    ]),
  );
}

export function sizeTable(workers) {
  return textTable(
    ["worker", "bundle KiB", "gzip KiB", "startup ms"],
    workers.map((w) => [w.worker, num(w.bytes / 1024, 1), num(w.gzipBytes / 1024, 1), w.startupMs == null ? "n/a" : num(w.startupMs, 1)]),
  );
}

export function pageTable(pages) {
  const images = (p) => p.images ?? [];
  return textTable(
    ["page", "JS gzip B", "CSS gzip B", "HTML gzip B", "images", "image B (largest)", "images B", "photo sizes offered B (largest)", "files"],
    pages.map((p) => [
      p.page,
      num(p.jsGzipBytes),
      num(p.cssGzipBytes),
      num(p.htmlGzipBytes),
      num(images(p).length),
      num(Math.max(0, ...images(p).map((i) => i.bytes))),
      num(images(p).reduce((a, i) => a + i.bytes, 0)),
      num(Math.max(0, ...images(p).filter((i) => i.photo).map((i) => i.largestOffered))),
      p.files.map((f) => f.url).join(" ") || "-",
    ]),
  );
}

export function budgetTable(verdicts) {
  return textTable(
    ["", "budget", "measured", "detail"],
    verdicts.map((v) => [v.pass ? "PASS" : "FAIL", v.budget, v.measured, v.detail]),
  );
}
