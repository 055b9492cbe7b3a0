import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { GENRES, MEDIA_GRADES } from "../../../schema/events";
import { readServerTiming } from "../../shared/src/d1-count";
import { app } from "../src/app";
import { BASE, newUser, type Seller } from "./client";
import { countingD1 } from "../../shared/test/counting-d1";

const LISTINGS = 100_000;
let seller: Seller;

beforeAll(async () => {
  seller = await newUser();
  // 100k listings in one statement: a tenth sold, the rest available; ids are valid v4 UUIDs.
  // One title in 49 has the word "Midnight", spread over every genre, a tenth of them sold;
  // 20 descriptions say "sealed", two of them sold.
  await env.CATALOG_DB.prepare(
    `insert into vinyls (id, user_id, title, artist, genre, price_cents, media_condition, label, description, status, order_id, created_at, updated_at)
     with recursive n(i) as (select 1 union all select i + 1 from n where i < ?1)
     select printf('%08x-0000-4000-8000-%012x', i, i),
            case when i % 100 = 0 then ?2 else printf('%08x-1111-4000-8000-%012x', i % 5000, i % 5000) end,
            case when i % 49 = 0 then 'Midnight ' else '' end || 'Record ' || i, 'Artist ' || (i % 1000), json_extract(?3, '$[' || (i % 24) || ']'),
            (i * 7919) % 100000 + 1, json_extract(?4, '$[' || (i % 9) || ']'), 'Label ' || (i % 300),
            'Pressing number ' || i || case when i % 4999 = 0 then ' sealed' else '' end, case when i % 10 = 0 then 'sold' else 'available' end,
            case when i % 10 = 0 then printf('%08x-2222-4000-8000-%012x', i, i) end,
            strftime('%Y-%m-%dT%H:%M:%fZ', 1700000000 + i, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%fZ', 1700000000 + i, 'unixepoch')
     from n`,
  )
    .bind(LISTINGS, seller.id, JSON.stringify(GENRES), JSON.stringify([...MEDIA_GRADES, null]))
    .run();
}, 120_000);

/** Runs a request and answers the query plan of each statement it sent to D1, and its status. */
async function plan(path: string, user?: Seller) {
  const d1 = countingD1(env.CATALOG_DB);
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(new URL(path, BASE), { headers: user ? { cookie: user.cookie } : {} }), { ...env, CATALOG_DB: d1.db }, ctx);
  await waitOnExecutionContext(ctx);
  const plans: string[] = [];
  for (const call of d1.requestCalls()) {
    for (const { sql, params } of call.statements) {
      const { results } = await env.CATALOG_DB.prepare(`explain query plan ${sql}`).bind(...params).all<{ detail: string }>();
      plans.push(...results.map((r) => r.detail));
    }
  }
  const next = /<([^>]+)>; rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
  return { status: res.status, plans, body: await res.json<unknown[]>(), next, rowsRead: readServerTiming(res.headers.get("server-timing"))!.rowsRead };
}

// A scan of the table itself; scanning an index in order (with a LIMIT) is what keyset paging wants.
const fullScan = (detail: string) => /^SCAN vinyls($| (?!USING))/.test(detail);

describe(`query plans over ${LISTINGS} listings`, () => {
  it.each([
    "/api/vinyls",
    "/api/vinyls?sort=price_asc",
    "/api/vinyls?sort=price_desc",
    "/api/vinyls?genre=Jazz",
    "/api/vinyls?genre=Jazz&sort=price_asc",
    "/api/vinyls?genre=Jazz&sort=price_desc",
    "/api/vinyls?minPrice=10&maxPrice=20",
    "/api/vinyls?minPrice=10&maxPrice=20&sort=price_asc",
    "/api/vinyls?condition=NM",
    "/api/vinyls?condition=NM&sort=price_desc",
    "/api/vinyls?genre=Rock&condition=VG%2B&minPrice=5&maxPrice=500&sort=price_asc",
  ])("answers %s from an index, in index order, without sorting", async (path) => {
    const { status, plans, body } = await plan(path);
    expect(status).toBe(200);
    expect(body.length).toBeGreaterThan(0);
    expect(plans.some(fullScan), plans.join("\n")).toBe(false);
    expect(plans.join("\n")).toMatch(/USING (COVERING )?INDEX vinyls_available_/);
    expect(plans.join("\n")).not.toMatch(/TEMP B-TREE/);
  });

  it.each(["/api/vinyls?q=artist%20123", "/api/vinyls?q=pressing%2042&sort=price_asc&genre=Jazz", "/api/vinyls?q=label&condition=M"])(
    "answers the search %s from the full-text index",
    async (path) => {
      const { status, plans } = await plan(path);
      expect(status).toBe(200);
      expect(plans.some(fullScan), plans.join("\n")).toBe(false);
      expect(plans.join("\n")).toMatch(/vinyls_search VIRTUAL TABLE INDEX \d+:M/);
    },
  );

  // The budget for one page of 24: every row read is counted by D1 itself.
  const PAGE_BUDGET = 2 * 24 + 10;

  it.each([
    "/api/vinyls?q=midnight",
    "/api/vinyls?q=MIDNIGHT%20record",
    "/api/vinyls?q=mid",
    "/api/vinyls?q=midnight&genre=Jazz",
    "/api/vinyls?q=midnight&genre=JPop",
    "/api/vinyls?q=midnight&genre=Rock&condition=P",
  ])("reads one page of the search %s, and of the pages after it, off the full-text index in order", async (path) => {
    let next: string | undefined = path;
    let page = 0;
    while (next && page < 3) {
      page++;
      const { status, plans, body, rowsRead, next: after } = await plan(next);
      expect(status).toBe(200);
      // Full pages until the last.
      if (after) expect(body).toHaveLength(24);
      expect(plans, `page ${page}`).toEqual([
        expect.stringMatching(/^SCAN vinyls_search VIRTUAL TABLE INDEX \d+:/),
        "SEARCH vinyls USING INTEGER PRIMARY KEY (rowid=?)",
      ]);
      expect(rowsRead, `page ${page}`).toBeLessThanOrEqual(PAGE_BUDGET);
      next = after;
    }
    expect(page).toBeGreaterThan(1);
  });

  it("reads only the matches of a search that finds a few", async () => {
    const { body, rowsRead } = await plan("/api/vinyls?q=sealed");
    expect(body).toHaveLength(18);
    expect(rowsRead).toBeLessThanOrEqual(2 * body.length + 1);
  });

  it("answers a seller's listings from their own index", async () => {
    const { status, plans, body } = await plan("/api/vinyls/mine", seller);
    expect(status).toBe(200);
    expect(body).toHaveLength(100);
    expect(plans.join("\n")).toMatch(/USING INDEX vinyls_user_newest/);
    expect(plans.join("\n")).not.toMatch(/TEMP B-TREE/);
  });

  describe("one seller's records for sale (?seller=)", () => {
    beforeAll(async () => {
      // A shop with 2,000 of the listings, spread through the catalog's time, a third of them sold.
      const shopId = crypto.randomUUID();
      await env.CATALOG_DB.prepare(
        `insert into vinyls (id, user_id, title, genre, price_cents, media_condition, status, order_id, created_at, updated_at)
         with recursive n(i) as (select 1 union all select i + 1 from n where i < 2000)
         select printf('%08x-3333-4000-8000-%012x', i, i), ?1, 'Shop record ' || i, json_extract(?2, '$[' || (i % 24) || ']'),
                (i * 31) % 5000 + 100, json_extract(?3, '$[' || (i % 9) || ']'), case when i % 3 = 0 then 'sold' else 'available' end,
                case when i % 3 = 0 then printf('%08x-4444-4000-8000-%012x', i, i) end,
                strftime('%Y-%m-%dT%H:%M:%fZ', 1700000000 + i * 50, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%fZ', 1700000000 + i * 50, 'unixepoch')
         from n`,
      )
        .bind(shopId, JSON.stringify(GENRES), JSON.stringify([...MEDIA_GRADES, null]))
        .run();
      await env.CATALOG_DB.prepare(
        "insert into profiles (user_id, username, display_name, country, member_since, version) values (?, 'big-shop', 'Big Shop', 'US', '2026-01-01T00:00:00.000Z', 1)",
      )
        .bind(shopId)
        .run();
    });

    it.each(["/api/vinyls?seller=big-shop", "/api/vinyls?seller=big-shop&genre=Jazz", "/api/vinyls?seller=big-shop&condition=NM&minPrice=10"])(
      "answers %s from the seller's index by status, in its order, reading about a page",
      async (path) => {
        let next: string | undefined = path;
        for (let page = 1; next && page <= 3; page++) {
          const { status, plans, body, rowsRead, next: after } = await plan(next);
          expect(status).toBe(200);
          expect(body.length, `page ${page}`).toBeGreaterThan(0);
          expect(plans.join("\n")).toMatch(/SEARCH vinyls USING INDEX vinyls_user_status_newest \(user_id=\? AND status=\?/);
          expect(plans.join("\n")).not.toMatch(/TEMP B-TREE/);
          // The page, the profile lookup, and what the filters skip (a genre keeps one in 24 here).
          expect(rowsRead, `page ${page}`).toBeLessThanOrEqual(path.includes("genre") || path.includes("condition") ? 24 * 24 + 10 : PAGE_BUDGET);
          next = after;
        }
      },
    );

    it.each(["/api/vinyls?seller=big-shop&sort=price_asc", "/api/vinyls?seller=big-shop&genre=Jazz&sort=price_desc"])(
      "answers %s from the seller's index, sorting only the seller's records for sale",
      async (path) => {
        let next: string | undefined = path;
        for (let page = 1; next && page <= 3; page++) {
          const { status, plans, body, rowsRead, next: after } = await plan(next);
          expect(status).toBe(200);
          expect(body.length, `page ${page}`).toBeGreaterThan(0);
          expect(plans.join("\n")).toMatch(/SEARCH vinyls USING INDEX vinyls_user_status_newest \(user_id=\? AND status=\?\)/);
          // Each of the shop's 1,334 records for sale once in the index and once in the table,
          // then sorted: in proportion to the seller's stock, not to the catalog.
          expect(rowsRead, `page ${page}`).toBeLessThanOrEqual(2 * 1_334 + 2);
          next = after;
        }
      },
    );

    it("answers an unknown seller without reading a listing", async () => {
      const { status, body, rowsRead } = await plan("/api/vinyls?seller=nobody-here");
      expect(status).toBe(200);
      expect(body).toEqual([]);
      expect(rowsRead).toBeLessThanOrEqual(1);
    });
  });

  it("answers a later page with a range over the same index", async () => {
    const first = await app.fetch(new Request(`${BASE}/api/vinyls?sort=price_asc&limit=100`), env, createExecutionContext());
    const next = /<([^>]+)>/.exec(first.headers.get("link")!)![1]!;
    const { status, plans } = await plan(next);
    expect(status).toBe(200);
    expect(plans.join("\n")).toMatch(/SEARCH vinyls USING (COVERING )?INDEX vinyls_available_price \(\(price_cents,id\)>\(\?,\?\)\)/);
  });
});
