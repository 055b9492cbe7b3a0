import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GENRES, MEDIA_GRADES } from "../../../schema/events";
import { vinyls } from "../../../schema/tables/catalog";
import { encodeCursor } from "../src/cursor";
import { FILTERS, cmp } from "./list-filters";
import { BASE, db, expectError, get, list, newUser, type Vinyl, nextLink, walk } from "./client";

// This file owns its database: every available record here is one of these.
type Row = typeof vinyls.$inferInsert;
const rows: Row[] = [];
const sellerId = crypto.randomUUID();

beforeAll(async () => {
  // Few distinct timestamps and prices, so ties are common and only the id can order them.
  const stamps = ["2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z", "2026-01-02T00:00:00.001Z", "2026-03-01T12:00:00.000Z"];
  const prices = [500, 999, 1000, 1999, 5000, 100000];
  const genres = ["Jazz", "Rock", "Soul"] as const;
  const statuses = ["available", "available", "available", "available", "reserved", "sold", "withdrawn"] as const;
  for (let i = 0; i < 140; i++) {
    const status = statuses[i % statuses.length]!;
    rows.push({
      id: crypto.randomUUID(),
      userId: sellerId,
      title: `Record ${i}`,
      genre: genres[i % genres.length]!,
      priceCents: prices[(i * 7) % prices.length]!,
      mediaCondition: i % 9 === 0 ? null : MEDIA_GRADES[i % MEDIA_GRADES.length]!,
      status,
      orderId: status === "reserved" || status === "sold" ? crypto.randomUUID() : null,
      createdAt: stamps[(i * 5) % stamps.length]!,
      updatedAt: stamps[0]!,
    });
  }
  // D1 binds at most 100 parameters a statement.
  for (let i = 0; i < rows.length; i += 5) await db.insert(vinyls).values(rows.slice(i, i + 5));
});

/** What the API should answer, computed here from the rows themselves. */
function expected(filter: (r: Row) => boolean, sort: string) {
  const chosen = rows.filter((r) => r.status === "available" && filter(r));
  const order: Record<string, (a: Row, b: Row) => number> = {
    newest: (a, b) => cmp(b.createdAt, a.createdAt) || cmp(b.id!, a.id!),
    price_asc: (a, b) => cmp(a.priceCents, b.priceCents) || cmp(a.id!, b.id!),
    price_desc: (a, b) => cmp(b.priceCents, a.priceCents) || cmp(b.id!, a.id!),
  };
  return chosen.sort(order[sort]).map((r) => r.id);
}

describe("paging through GET /api/vinyls", () => {
  for (const sort of ["newest", "price_asc", "price_desc"]) {
    for (const [name, query, filter] of FILTERS) {
      for (const limit of [1, 7, 100]) {
        it(`visits every record once, in order, sorted ${sort} with ${name}, ${limit} a page`, async () => {
          const pages = await walk(`/api/vinyls?${query}&sort=${sort}&limit=${limit}`);
          const ids = pages.flat().map((v) => v.id);
          expect(ids).toEqual(expected(filter, sort));
          expect(new Set(ids).size).toBe(ids.length);
          for (const page of pages.slice(0, -1)) expect(page).toHaveLength(limit);
          expect(pages.at(-1)!.length).toBeLessThanOrEqual(limit);
        });
      }
    }
  }

  it("answers 24 records a page by default, newest first", async () => {
    const res = await get("/api/vinyls");
    const page = await res.json<Vinyl[]>();
    expect(page.map((v) => v.id)).toEqual(expected(() => true, "newest").slice(0, 24));
    expect(nextLink(res)).not.toBeNull();
  });

  it("keeps the query in the next link and changes only the cursor", async () => {
    const res = await get("/api/vinyls?genre=Jazz&sort=price_desc&limit=2&minPrice=1");
    const next = new URL(nextLink(res)!, BASE);
    expect(next.pathname).toBe("/api/vinyls");
    expect(Object.fromEntries(next.searchParams)).toEqual({
      genre: "Jazz",
      sort: "price_desc",
      limit: "2",
      minPrice: "1",
      cursor: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
    });
  });

  it("sends no Link when the page holds the last record", async () => {
    const all = expected(() => true, "newest").length;
    expect((await get(`/api/vinyls?limit=100&genre=Soul`)).headers.get("link")).toBeNull();
    const pages = await walk(`/api/vinyls?limit=${Math.ceil(all / 2)}`);
    expect(pages).toHaveLength(2);
  });

  it("neither repeats nor skips a record when a newer one is listed between pages", async () => {
    const first = await get("/api/vinyls?limit=10");
    const seen = (await first.json<Vinyl[]>()).map((v) => v.id);
    const added = await list(await newUser(), { title: "Arrived meanwhile" });
    const rest = (await walk(nextLink(first)!)).flat().map((v) => v.id);
    expect([...seen, ...rest]).toEqual(expected(() => true, "newest"));
    expect(rest).not.toContain(added.id);
    // Back to the rows this file knows, for the tests after this one.
    await db.delete(vinyls).where(eq(vinyls.id, added.id));
  });

  it("treats empty query values as absent, as a browse form sends them", async () => {
    const res = await get("/api/vinyls?genre=&q=&minPrice=&maxPrice=&condition=&sort=&limit=&cursor=");
    expect(res.status).toBe(200);
    expect((await res.json<Vinyl[]>()).map((v) => v.id)).toEqual(expected(() => true, "newest").slice(0, 24));
  });

  it.each([
    ["genre", "genre=Polka"],
    ["genre", "genre=jazz"],
    ["condition", "condition=EX"],
    ["sort", "sort=oldest"],
    ["limit", "limit=0"],
    ["limit", "limit=101"],
    ["limit", "limit=-1"],
    ["limit", "limit=1.5"],
    ["limit", "limit=ten"],
    ["minPrice", "minPrice=-1"],
    ["minPrice", "minPrice=1.999"],
    ["minPrice", "minPrice=abc"],
    ["minPrice", "minPrice=1e3"],
    ["maxPrice", "maxPrice=Infinity"],
    ["maxPrice", "minPrice=50&maxPrice=10"],
    ["cursor", "cursor=garbage!"],
    ["cursor", "cursor=e30"],
    ["cursor", `cursor=${btoa("not json")}`],
    ["cursor", `cursor=${encodeCursor({ sort: "price_asc", key: 500, id: crypto.randomUUID() })}`],
    ["cursor", `sort=price_desc&cursor=${encodeCursor({ sort: "newest", key: "2026-01-01T00:00:00.000Z", id: crypto.randomUUID() })}`],
    ["cursor", `cursor=${"A".repeat(600)}`],
  ])("answers 400 naming %s for %s", async (field, query) => {
    const body = await expectError(await get(`/api/vinyls?${query}`), 400);
    expect(body.errors.map((e) => e.field)).toContain(field);
  });

  it("answers 400 for a repeated query parameter", async () => {
    await expectError(await get("/api/vinyls?genre=Jazz&genre=Rock"), 400);
  });

  it("accepts a cursor for a record that no longer exists, continuing after its place", async () => {
    const order = expected(() => true, "price_asc");
    const at = rows.find((r) => r.id === order[9])!;
    const cursor = encodeCursor({ sort: "price_asc", key: at.priceCents, id: at.id! });
    const ids = (await walk(`/api/vinyls?sort=price_asc&limit=50&cursor=${cursor}`)).flat().map((v) => v.id);
    expect(ids).toEqual(order.slice(10));
  });

  it("checks every genre name and grade it knows", async () => {
    for (const genre of GENRES) expect((await get(`/api/vinyls?genre=${genre}&limit=1`)).status).toBe(200);
    for (const grade of MEDIA_GRADES) expect((await get(`/api/vinyls?condition=${encodeURIComponent(grade)}&limit=1`)).status).toBe(200);
  });
});
