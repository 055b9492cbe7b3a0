import { describe, expect, it } from "vitest";
import { readServerTiming } from "../../shared/src/d1-count";
import { call, list, newUser, send } from "./client";

/** The `d1` metric a response reports. */
async function cost(res: Response) {
  await res.body?.cancel();
  const tally = readServerTiming(res.headers.get("server-timing"));
  expect(tally, "a Server-Timing d1 metric").not.toBeNull();
  return tally!;
}

describe("Server-Timing reports what a request cost in D1", () => {
  it("a page of records: one round trip, the rows it read, nothing written", async () => {
    const seller = await newUser();
    for (let i = 0; i < 3; i++) await list(seller);
    const res = await call("/api/vinyls?limit=2");
    expect(res.status).toBe(200);
    const tally = await cost(res);
    expect(tally).toMatchObject({ trips: 1, rowsWritten: 0 });
    // Three rows at least (the page and the one that proves a next page), never the whole table.
    expect(tally.rowsRead).toBeGreaterThanOrEqual(3);
    expect(res.headers.get("server-timing")).toMatch(/^d1;dur=[\d.]+;desc="trips=1 rows_read=\d+ rows_written=0"$/);
  });

  it("one record, and an unknown one", async () => {
    const vinyl = await list(await newUser());
    expect(await cost(await call(`/api/vinyls/${vinyl.id}`))).toMatchObject({ trips: 1, rowsRead: 1 });
    expect(await cost(await call(`/api/vinyls/${crypto.randomUUID()}`))).toMatchObject({ trips: 1, rowsRead: 0 });
  });

  it("a listing: its one batch with the rows written and the seller's session lookup, without the relay that runs after", async () => {
    const res = await send("POST", "/api/vinyls", { title: "Timed", price: 5, genre: "Funk" }, await newUser());
    expect(res.status).toBe(201);
    const tally = await cost(res);
    expect(tally.trips).toBe(2);
    expect(tally.rowsWritten).toBeGreaterThan(0);
  });

  it("nothing for what is refused before the database", async () => {
    expect(await cost(await call("/api/vinyls?limit=0"))).toEqual({ trips: 0, rowsRead: 0, rowsWritten: 0, ms: 0 });
  });
});
