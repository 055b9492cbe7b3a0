import { describe, expect, it } from "vitest";
import { BASE, expectError, force, get, list, newUser, send, type Vinyl } from "./client";

describe("GET /api/vinyls/:id", () => {
  it("answers the record to anyone, signed in or not", async () => {
    const vinyl = await list(await newUser());
    const res = await get(`/api/vinyls/${vinyl.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(vinyl);
    expect(await (await get(`/api/vinyls/${vinyl.id}`, await newUser())).json()).toEqual(vinyl);
  });

  it.each(["reserved", "sold", "withdrawn"] as const)("answers a %s record too, with its order when it has one", async (status) => {
    const vinyl = await list(await newUser());
    const orderId = await force(vinyl.id, status);
    expect(await (await get(`/api/vinyls/${vinyl.id}`)).json()).toMatchObject({ status, orderId });
  });

  it("answers 404 for an unknown id", async () => {
    const body = await expectError(await get(`/api/vinyls/${crypto.randomUUID()}`), 404);
    expect(body.errors).toEqual([{ message: "Vinyl not found" }]);
  });

  it.each(["abc", "1", "%27%20OR%201%3D1", "..%2F..%2Fetc%2Fpasswd", "%00", "x".repeat(2000), "🎵"])(
    "answers 404 for the malformed id %s",
    async (id) => {
      await expectError(await get(`/api/vinyls/${id}`), 404);
    },
  );
});

describe("GET /api/vinyls/mine", () => {
  it("answers 401 to an anonymous caller", async () => {
    await expectError(await get("/api/vinyls/mine"), 401);
  });

  it("answers the caller's listings in every status, newest first, and nobody else's", async () => {
    const seller = await newUser();
    const other = await newUser();
    const mine: Vinyl[] = [];
    for (const title of ["One", "Two", "Three", "Four"]) mine.push(await list(seller, { title }));
    await list(other, { title: "Not mine" });
    await force(mine[1]!.id, "reserved");
    await force(mine[2]!.id, "sold");
    expect((await send("DELETE", `/api/vinyls/${mine[3]!.id}`, undefined, seller)).status).toBe(204);

    const res = await get("/api/vinyls/mine", seller);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toMatch(/no-store/);
    const answered = await res.json<Vinyl[]>();
    expect(answered.map((v) => [v.title, v.status])).toEqual([
      ["Four", "withdrawn"],
      ["Three", "sold"],
      ["Two", "reserved"],
      ["One", "available"],
    ]);
    expect(answered.every((v) => v.userId === seller.id)).toBe(true);
  });

  it("answers an empty list to a new seller", async () => {
    expect(await (await get("/api/vinyls/mine", await newUser())).json()).toEqual([]);
  });

  it("pages long lists with a Link to the next page", async () => {
    const seller = await newUser();
    for (let i = 0; i < 5; i++) await list(seller, { title: `Record ${i}` });
    const first = await get("/api/vinyls/mine?limit=3", seller);
    expect((await first.json<Vinyl[]>()).map((v) => v.title)).toEqual(["Record 4", "Record 3", "Record 2"]);
    const next = /^<([^>]+)>; rel="next"$/.exec(first.headers.get("link") ?? "")![1]!;
    const second = await get(new URL(next, BASE).pathname + new URL(next, BASE).search, seller);
    expect((await second.json<Vinyl[]>()).map((v) => v.title)).toEqual(["Record 1", "Record 0"]);
    expect(second.headers.get("link")).toBeNull();
  });

  it("is not taken for a record id", async () => {
    const seller = await newUser();
    await list(seller);
    const res = await get("/api/vinyls/mine", seller);
    expect(Array.isArray(await res.json())).toBe(true);
  });
});

describe("the service", () => {
  it("answers /health", async () => {
    expect(await (await get("/health")).json()).toEqual({ status: "ok" });
  });

  it("describes its routes at /openapi.json", async () => {
    const res = await get("/openapi.json");
    expect(res.status).toBe(200);
    const doc = await res.json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths).sort()).toEqual(
      ["/api/vinyls", "/api/vinyls/mine", "/api/vinyls/{id}", "/api/vinyls/images", "/images/{key}", "/images/{key}/{variant}"].sort(),
    );
  });

  it.each([
    ["GET", "/api/nope"],
    ["PATCH", `/api/vinyls/${crypto.randomUUID()}`],
    ["GET", "/api/vinyls/images/extra/segments"],
  ])("answers %s %s with 404 in the error shape", async (method, path) => {
    await expectError(await send(method, path), 404);
  });
});
