import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { MEDIA_GRADES } from "../../../schema/events";
import { vinyls } from "../../../schema/tables/catalog";
import { encodeCursor } from "../src/cursor";
import { FILTERS, cmp } from "./list-filters";
import { BASE, db, expectError, force, get, list, newUser, type Vinyl, nextLink, walk } from "./client";

// This file owns its database: every record here is one of these. Most carry the word a
// search looks for; the rest must never be found.
const WORD = "Nocturne";
type Row = typeof vinyls.$inferInsert & { seq?: number };
const rows: Row[] = [];
const sellerId = crypto.randomUUID();

beforeAll(async () => {
  // Few timestamps, each reused out of insertion order, so a search's newest-first order
  // (listing order) visibly differs from the created_at order of the plain list.
  const stamps = ["2026-03-01T12:00:00.000Z", "2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"];
  const prices = [500, 999, 1000, 1999, 5000, 100000];
  const genres = ["Jazz", "Rock", "Soul"] as const;
  const statuses = ["available", "available", "available", "available", "reserved", "sold", "withdrawn"] as const;
  for (let i = 0; i < 150; i++) {
    const status = statuses[i % statuses.length]!;
    rows.push({
      id: crypto.randomUUID(),
      userId: sellerId,
      title: i % 5 === 0 ? `Daylight ${i}` : `${WORD} ${i}`,
      // The genre and status as text must not make a record match them.
      description: i % 5 === 0 ? "Jazz, available" : null,
      genre: genres[i % genres.length]!,
      priceCents: prices[(i * 7) % prices.length]!,
      mediaCondition: i % 9 === 0 ? null : MEDIA_GRADES[i % MEDIA_GRADES.length]!,
      status,
      orderId: status === "reserved" || status === "sold" ? crypto.randomUUID() : null,
      createdAt: stamps[i % stamps.length]!,
      updatedAt: stamps[0]!,
    });
  }
  // D1 binds at most 100 parameters a statement.
  for (let i = 0; i < rows.length; i += 5) await db.insert(vinyls).values(rows.slice(i, i + 5));
  const seqs = new Map((await db.select({ id: vinyls.id, seq: vinyls.seq }).from(vinyls)).map((r) => [r.id, r.seq]));
  for (const row of rows) row.seq = seqs.get(row.id!)!;
});

/** What a search for WORD should answer, computed here from the rows themselves. */
function expected(filter: (r: Row) => boolean, sort: string) {
  const chosen = rows.filter((r) => r.status === "available" && r.title.startsWith(WORD) && filter(r));
  const order: Record<string, (a: Row, b: Row) => number> = {
    // Listing order: the order the records were inserted in, newest first.
    newest: (a, b) => b.seq! - a.seq!,
    price_asc: (a, b) => cmp(a.priceCents, b.priceCents) || cmp(a.id!, b.id!),
    price_desc: (a, b) => cmp(b.priceCents, a.priceCents) || cmp(b.id!, a.id!),
  };
  return chosen.sort(order[sort]).map((r) => r.id);
}

const ids = (pages: Vinyl[][]) => pages.flat().map((v) => v.id);

describe("paging through search results", () => {
  for (const sort of ["newest", "price_asc", "price_desc"]) {
    for (const [name, query, filter] of FILTERS) {
      for (const limit of [1, 7, 100]) {
        it(`visits every match once, in order, sorted ${sort} with ${name}, ${limit} a page`, async () => {
          const pages = await walk(`/api/vinyls?q=${WORD.toLowerCase()}&${query}&sort=${sort}&limit=${limit}`);
          expect(ids(pages)).toEqual(expected(filter, sort));
          expect(new Set(ids(pages)).size).toBe(ids(pages).length);
          for (const page of pages.slice(0, -1)) expect(page).toHaveLength(limit);
          expect(pages.at(-1)!.length).toBeLessThanOrEqual(limit);
        });
      }
    }
  }

  it("sorts a search newest first in listing order, which here is not created_at order", async () => {
    const found = ids(await walk(`/api/vinyls?q=${WORD}&limit=100`));
    expect(found).toEqual(expected(() => true, "newest"));
    const byCreatedAt = rows
      .filter((r) => found.includes(r.id!))
      .sort((a, b) => cmp(b.createdAt, a.createdAt) || cmp(b.id!, a.id!))
      .map((r) => r.id);
    expect(found).not.toEqual(byCreatedAt);
  });

  it("keeps the search and filters in the next link and changes only the cursor", async () => {
    const res = await get(`/api/vinyls?q=${WORD}&genre=Soul&limit=2&condition=P`);
    const next = new URL(nextLink(res)!, BASE);
    expect(Object.fromEntries(next.searchParams)).toEqual({
      q: WORD,
      genre: "Soul",
      limit: "2",
      condition: "P",
      cursor: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
    });
  });

  it("neither repeats nor skips a match when a newer one is listed between pages", async () => {
    const first = await get(`/api/vinyls?q=${WORD}&limit=10`);
    const seen = (await first.json<Vinyl[]>()).map((v) => v.id);
    const added = await list(await newUser(), { title: `${WORD} arrived meanwhile` });
    expect(ids(await walk(`/api/vinyls?q=${WORD}&limit=100`))[0]).toBe(added.id);
    const rest = ids(await walk(nextLink(first)!));
    expect([...seen, ...rest]).toEqual(expected(() => true, "newest"));
    // Out of the way of the tests after this one (never deleted: its seq must stay taken).
    await force(added.id, "withdrawn");
  });

  it("drops a match sold between pages without skipping the one after it", async () => {
    const order = expected(() => true, "newest");
    const first = await get(`/api/vinyls?q=${WORD}&limit=10`);
    const sold = order[14]!;
    await force(sold, "sold");
    const rest = ids(await walk(nextLink(first)!));
    expect(rest).toEqual(order.slice(10).filter((id) => id !== sold));
    await db.update(vinyls).set({ status: "available", orderId: null }).where(eq(vinyls.id, sold));
    expect(ids(await walk(nextLink(first)!))).toEqual(order.slice(10));
  });

  it("keeps an edited match in its place, and loses it when the word is gone", async () => {
    const order = expected(() => true, "newest");
    const first = await get(`/api/vinyls?q=${WORD}&limit=10`);
    const edited = rows.find((r) => r.id === order[12])!;
    await db.update(vinyls).set({ title: `${WORD} retitled`, genre: "Soul" }).where(eq(vinyls.id, edited.id!));
    expect(ids(await walk(nextLink(first)!))).toEqual(order.slice(10));
    expect(ids(await walk(`/api/vinyls?q=${WORD}&genre=Soul&limit=100`))).toContain(edited.id);
    await db.update(vinyls).set({ title: "Renamed" }).where(eq(vinyls.id, edited.id!));
    expect(ids(await walk(nextLink(first)!))).toEqual(order.slice(10).filter((id) => id !== edited.id));
    await db.update(vinyls).set({ title: edited.title, genre: edited.genre }).where(eq(vinyls.id, edited.id!));
  });

  it("continues after a cursor's place whether or not a match is there, and ends past the oldest", async () => {
    const order = expected(() => true, "newest");
    const at = rows.find((r) => r.id === order[4])!;
    for (const seq of [at.seq!, at.seq! + 1]) {
      const cursor = encodeCursor({ sort: "listed", key: seq });
      const found = ids(await walk(`/api/vinyls?q=${WORD}&limit=50&cursor=${cursor}`));
      expect(found).toEqual(seq === at.seq ? order.slice(5) : order.slice(4));
    }
    const past = await get(`/api/vinyls?q=${WORD}&cursor=${encodeCursor({ sort: "listed", key: 1 })}`);
    expect(await past.json()).toEqual([]);
    expect(past.headers.get("link")).toBeNull();
  });

  const listed = encodeCursor({ sort: "listed", key: 5 });
  const newest = encodeCursor({ sort: "newest", key: "2026-01-01T00:00:00.000Z", id: crypto.randomUUID() });
  const raw = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "");
  it.each([
    ["a plain list's newest cursor on a search", `q=${WORD}&cursor=${newest}`],
    ["a search's cursor on the plain list", `cursor=${listed}`],
    ["a search's cursor on a search with nothing searchable", `q=%22%2A&cursor=${listed}`],
    ["a search's cursor on a search sorted by price", `q=${WORD}&sort=price_asc&cursor=${listed}`],
    ["a price cursor on a search sorted newest", `q=${WORD}&cursor=${encodeCursor({ sort: "price_asc", key: 500, id: crypto.randomUUID() })}`],
    ["a fractional position", `q=${WORD}&cursor=${raw({ s: "listed", k: 1.5 })}`],
    ["a position as text", `q=${WORD}&cursor=${raw({ s: "listed", k: "5" })}`],
    ["a negative position", `q=${WORD}&cursor=${raw({ s: "listed", k: -1 })}`],
    ["a position with an id", `q=${WORD}&cursor=${raw({ s: "listed", k: 5, id: crypto.randomUUID() })}`],
    ["garbage", `q=${WORD}&cursor=garbage!`],
  ])("answers 400 naming the cursor for %s", async (_, query) => {
    const body = await expectError(await get(`/api/vinyls?${query}`), 400);
    expect(body.errors).toEqual([{ field: "cursor", message: expect.any(String) }]);
  });
});
