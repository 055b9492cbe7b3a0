import { describe, expect, it } from "vitest";
import { budgets, rows } from "../../scripts/bench/report.mjs";
import { DROP, valueLists } from "../../scripts/bench/scenarios.mjs";
import { listings, PHOTO_COUNT, profiles } from "../../scripts/bench/seed.mjs";
import { pageImages, pickCandidate, slotWidth } from "../../scripts/bench/sizes.mjs";
import { USERNAME_PATTERN } from "../../schema/vocabulary";
import { addTiming, emptyTiming } from "../../scripts/bench/server-timing.mjs";

/** A load result as scripts/bench/load.mjs prints it. */
function result(rps: number, d1?: { trips: number; rows: number }[], extra: Record<string, unknown> = {}) {
  const timing = emptyTiming();
  for (const r of d1 ?? []) addTiming(timing, `d1;dur=0.5;desc="trips=${r.trips} rows_read=${r.rows} rows_written=0"`);
  return { requests: rps * 10, seconds: 10, rps, p50: 1, p99: 2, errors: 0, timeouts: 0, non2xx: 0, statuses: {}, timing, cache: {}, ...extra };
}

const one = (rows: number) => [{ trips: 1, rows }, { trips: 1, rows }];

describe("bench report", () => {
  it("divides each scenario by the ceiling measured next to it, the ceiling by its own run", () => {
    const table = rows([
      { mode: "miniflare", n: 10_000, results: { ceiling: result(1000), "api-list": result(300, one(25), { ceilingRps: 600 }) } },
    ]);
    expect(table.find((r) => r.scenario === "ceiling")?.ratio).toBe(1);
    expect(table.find((r) => r.scenario === "api-list")).toMatchObject({ ratio: 0.5, ceilingRps: 600, d1Trips: 1, rowsRead: 25, maxRowsRead: 25 });
  });

  it("judges a size run in several rounds on the median of its rounds' ratios", () => {
    const round = (n: number, round: number, ceiling: number, rps: number, rows = 25) => ({
      mode: "miniflare",
      n,
      round,
      results: { ceiling: result(ceiling), "api-list": result(rps, one(rows), { ceilingRps: ceiling }) },
    });
    // One bad round at 100k (0.20) against two at 0.40: the median keeps the size at 0.40.
    const table = rows([
      round(1000, 1, 1000, 400),
      round(100_000, 1, 1000, 200, 30),
      round(1000, 2, 1000, 420),
      round(100_000, 2, 800, 320),
      round(1000, 3, 1000, 380),
      round(100_000, 3, 1200, 480),
    ]);
    const large = table.find((r) => r.n === 100_000 && r.scenario === "api-list");
    expect(large).toMatchObject({ ratio: 0.4, ratios: [0.2, 0.4, 0.4], rowsRead: 30, requests: 10_000 });
    expect(table.filter((r) => r.scenario === "api-list")).toHaveLength(2);
    const kept = budgets(table).find((v) => v.budget.startsWith("api-list: N = 100000 keeps"));
    expect(kept).toMatchObject({ measured: "1.00", pass: true });
  });

  it("shows a ratio just under its line with the digits that fail it", () => {
    const table = rows([{ mode: "miniflare", n: 10_000, results: { ceiling: result(1000), "api-list": result(299.4, one(25), { ceilingRps: 1000 }) } }]);
    expect(budgets(table).find((v) => v.budget.startsWith("api-list ≥ 0.3"))).toMatchObject({ measured: "0.299", pass: false });
  });

  it("fails a catalog scenario that took two round trips once, or read too many rows once", () => {
    const table = rows([
      {
        mode: "miniflare",
        n: 1000,
        results: {
          ceiling: result(1000),
          "api-list": result(400, [{ trips: 1, rows: 25 }, { trips: 2, rows: 25 }], { ceilingRps: 1000 }),
          "api-search": result(400, [{ trips: 1, rows: 25 }, { trips: 1, rows: 59 }], { ceilingRps: 1000 }),
        },
      },
    ]);
    const verdicts = budgets(table);
    expect(verdicts.find((v) => v.budget.startsWith("api-list (N = 1000): one D1"))?.pass).toBe(false);
    expect(verdicts.find((v) => v.budget.startsWith("api-search (N = 1000): one D1"))?.pass).toBe(true);
    expect(verdicts.find((v) => v.budget.startsWith("api-search (N = 1000): rows read"))?.pass).toBe(false);
    expect(verdicts.find((v) => v.budget.startsWith("api-list ≥ 0.3"))).toMatchObject({ measured: "0.400", pass: true });
  });

  it("judges scale on each size's ratio to its own ceiling, not on raw requests per second", () => {
    const run = (n: number, ceiling: number, rps: number) => ({
      mode: "miniflare",
      n,
      results: { ceiling: result(ceiling), "api-list": result(rps, one(25), { ceilingRps: ceiling }) },
    });
    // Half the raw throughput on a machine running at half speed is no loss.
    const kept = budgets(rows([run(1000, 1000, 400), run(100_000, 500, 200)])).find((v) => v.budget.includes("keeps"));
    expect(kept).toMatchObject({ measured: "1.00", pass: true });
    const lost = budgets(rows([run(1000, 1000, 400), run(100_000, 1000, 300)])).find((v) => v.budget.includes("keeps"));
    expect(lost).toMatchObject({ measured: "0.75", pass: false });
  });

  it("does not count wrangler dev figures toward the budgets", () => {
    const table = rows([{ mode: "dev", n: 10_000, results: { "edge-404": result(100), "api-list": result(10, one(25), { ceilingRps: 100 }) } }]);
    expect(budgets(table)).toEqual([]);
  });

  it("seeds the same catalog for the same N, with every field a listing needs", () => {
    const [a, b] = [listings(50), listings(50)];
    expect(a).toEqual(b);
    expect(new Set(a.map((r) => r.id)).size).toBe(50);
    for (const row of a) {
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.price_cents).toBeGreaterThan(0);
      expect(["available", "withdrawn"]).toContain(row.status);
      expect(row.ships_from).toBe("US");
      expect(row.shipping_domestic_cents).toBeGreaterThan(0);
      expect(row.seller_username).toMatch(USERNAME_PATTERN);
    }
    // Some records do not ship abroad; each seller's name is the one their profile gives.
    expect(a.some((r) => r.shipping_international_cents === null)).toBe(true);
    expect(a.some((r) => r.shipping_international_cents !== null)).toBe(true);
    const named = new Map(profiles().map((p) => [p.user_id, p.username]));
    for (const row of a) expect(named.get(row.user_id)).toBe(row.seller_username);
    // Oldest first, a minute apart, as if listed one by one.
    expect(a.map((r) => r.created_at)).toEqual([...a.map((r) => r.created_at)].sort());
  });

  it("judges a drop against the record read of the same run: its rate, exactly R winners, no 5xx", () => {
    const drop = (winners: number[], statuses: Record<number, number>) =>
      result(200, [{ trips: 1, rows: 2 }], {
        statuses,
        drop: { records: 10, buyers: 60, rounds: winners.map((w) => ({ seconds: 2, attempts: 600, winners: w })) },
      });
    const judged = (d: ReturnType<typeof drop>, readRps: number) =>
      budgets(rows([{ mode: "miniflare", n: 10_000, results: { ceiling: result(1000), "api-record": result(readRps, one(1), { ceilingRps: 1000 }), drop: d } }]));
    const fine = judged(drop([10, 10], { 201: 20, 409: 1180 }), 300);
    expect(fine.find((v) => v.budget.includes("attempts/s"))).toMatchObject({ measured: "0.667", pass: true });
    expect(fine.find((v) => v.budget.includes("exactly R winners"))?.pass).toBe(true);
    expect(judged(drop([10, 10], { 201: 20, 409: 1180 }), 500).find((v) => v.budget.includes("attempts/s"))?.pass).toBe(false);
    expect(judged(drop([10, 11], { 201: 21, 409: 1179 }), 300).find((v) => v.budget.includes("exactly R winners"))?.pass).toBe(false);
    expect(judged(drop([10, 10], { 201: 20, 409: 1179, 500: 1 }), 300).find((v) => v.budget.includes("exactly R winners"))?.pass).toBe(false);
  });

  it("judges orders on their ratio to the ceiling", () => {
    const table = rows([{ mode: "miniflare", n: 10_000, results: { ceiling: result(1000), orders: result(150) } }]);
    expect(budgets(table).find((v) => v.budget.startsWith("orders"))).toMatchObject({ measured: "0.150", pass: false });
  });

  it("keeps drops, orders and reads on records of their own, and gives a third of the listings a photo", () => {
    const rowsOf = listings(3000);
    const { records, orderable, dropping } = valueLists(rowsOf);
    expect(new Set([...records, ...orderable, ...dropping]).size).toBe(records.length + orderable.length + dropping.length);
    expect(dropping.length).toBeGreaterThanOrEqual(DROP.records);
    const photos = rowsOf.map((r) => r.photo);
    expect(photos.filter((p) => p !== null).length).toBe(1000);
    expect(new Set(photos.filter((p) => p !== null))).toEqual(new Set(Array.from({ length: PHOTO_COUNT }, (_, i) => i)));
  });

  it("picks the image a 1,280 px wide laptop at 2x loads from a picture's AVIF srcset", () => {
    const sizes = "(min-width: 1024px) 264px, (min-width: 640px) 33vw, 50vw";
    expect(slotWidth(sizes)).toBe(264);
    expect(slotWidth(sizes, { width: 800, dpr: 1 })).toBeCloseTo(264);
    expect(slotWidth(sizes, { width: 400, dpr: 3 })).toBe(200);
    expect(pickCandidate("/p/320.avif 320w, /p/480.avif 480w, /p/640.avif 640w", sizes).url).toBe("/p/640.avif");
    expect(pickCandidate("/p/320.avif 320w, /p/480.avif 480w", sizes).url).toBe("/p/480.avif");
    const html =
      '<picture><source type="image/avif" srcset="/p/320.avif 320w, /p/640.avif 640w" sizes="80px" /><img src="/p/320.webp" alt="a"></picture>' +
      '<img src="/covers/1.svg?title=A&amp;artist=B" alt="b">';
    expect(pageImages(html)).toEqual([
      { url: "/p/320.avif", offered: ["/p/320.avif", "/p/640.avif", "/p/320.webp"] },
      { url: "/covers/1.svg?title=A&artist=B", offered: ["/covers/1.svg?title=A&artist=B"] },
    ]);
  });
});
