import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { app } from "../src/app";
import { BASE, call, force, list, newUser, type Seller } from "./client";
import { countingD1, isRelay, isSessionCheck } from "../../shared/test/counting-d1";
import { PNG } from "./image-files";

/** Sends one request with a counting D1 in place of CATALOG_DB; answers its status and the D1 calls it made. */
async function measure(method: string, path: string, body?: unknown, user?: Seller) {
  const d1 = countingD1(env.CATALOG_DB);
  const ctx = createExecutionContext();
  const init: RequestInit = { method, headers: user ? { cookie: user.cookie } : {} };
  if (body instanceof Uint8Array) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const res = await app.fetch(new Request(new URL(path, BASE), init), { ...env, CATALOG_DB: d1.db }, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, trips: d1.requestCalls().length, calls: d1.calls.filter((c) => !isSessionCheck(c)), sessionChecks: d1.sessionChecks().length };
}

describe("each catalog request costs one D1 round trip", () => {
  vi.spyOn(console, "error").mockImplementation(() => {});

  it("counts a batch as one and a single query as one, and sees the relay apart", async () => {
    const seller = await newUser();
    const created = await measure("POST", "/api/vinyls", { title: "Counted", price: 3, genre: "Soul" }, seller);
    expect(created.status).toBe(201);
    expect(created.trips).toBe(1);
    // The commit: one batch with the listing, its event's outbox row, the row's number and the read back.
    expect(created.calls[0]).toMatchObject({ method: "batch" });
    expect(created.calls[0]!.statements.map((s) => s.sql)).toEqual([
      expect.stringMatching(/^insert into "vinyls"/),
      expect.stringMatching(/^insert into "outbox"/),
      expect.stringMatching(/^update "outbox" set "seq"/),
      expect.stringMatching(/^select .* from "outbox"/),
    ]);
    // Then, in the background, the relay's only call: marking the rows it sent to both inboxes
    // (orders, notifications) in one update, each row by its key.
    const markSent = expect.objectContaining({ sql: expect.stringMatching(/^update "outbox" set "sent_at"/) });
    expect(created.calls.slice(1)).toEqual([{ method: "batch", statements: [markSent] }]);
    const { params } = created.calls[1]!.statements[0]!;
    expect(params.filter((p) => p === "orders" || p === "notifications").sort()).toEqual(["notifications", "orders"]);
    expect(isRelay(created.calls[1]!)).toBe(true);
    expect(isRelay(created.calls[0]!)).toBe(false);
  });

  it.each([
    ["the newest list", "/api/vinyls"],
    ["a filtered, sorted list", "/api/vinyls?genre=Jazz&minPrice=1&maxPrice=100&condition=VG&sort=price_asc&limit=5"],
    ["a search", "/api/vinyls?q=blue%20train&sort=price_desc"],
    ["one seller's records", "/api/vinyls?seller=someone&genre=Jazz&q=blue"],
    ["a later page", "/api/vinyls?sort=price_asc&cursor=eyJzIjoicHJpY2VfYXNjIiwiayI6MTAwLCJpZCI6IjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMCJ9"],
  ])("GET %s", async (_, path) => {
    expect(await measure("GET", path)).toMatchObject({ status: 200, trips: 1 });
  });

  it("GET /api/vinyls/mine and GET /api/vinyls/:id", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    expect(await measure("GET", "/api/vinyls/mine", undefined, seller)).toMatchObject({ status: 200, trips: 1 });
    expect(await measure("GET", `/api/vinyls/${vinyl.id}`)).toMatchObject({ status: 200, trips: 1 });
    expect(await measure("GET", `/api/vinyls/${crypto.randomUUID()}`)).toMatchObject({ status: 404, trips: 1 });
  });

  it("POST /api/vinyls, with a photo too", async () => {
    const seller = await newUser();
    const upload = await call("/api/vinyls/images", { method: "POST", headers: { cookie: seller.cookie }, body: PNG });
    const { imageUrl } = await upload.json<{ imageUrl: string }>();
    const body = { title: "With photo", price: 10, genre: "Jazz", imageUrl };
    expect(await measure("POST", "/api/vinyls", body, seller)).toMatchObject({ status: 201, trips: 1 });
  });

  it("PUT /api/vinyls/:id, whether it edits or is refused", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    const path = `/api/vinyls/${vinyl.id}`;
    expect(await measure("PUT", path, { price: 9 }, seller)).toMatchObject({ status: 200, trips: 1 });
    expect(await measure("PUT", path, { price: 9 }, await newUser())).toMatchObject({ status: 403, trips: 1 });
    expect(await measure("PUT", `/api/vinyls/${crypto.randomUUID()}`, { price: 9 }, seller)).toMatchObject({ status: 404, trips: 1 });
    await force(vinyl.id, "reserved");
    expect(await measure("PUT", path, { price: 9 }, seller)).toMatchObject({ status: 409, trips: 1 });
  });

  it("DELETE /api/vinyls/:id, whether it withdraws or is refused", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    const path = `/api/vinyls/${vinyl.id}`;
    expect(await measure("DELETE", path, undefined, await newUser())).toMatchObject({ status: 403, trips: 1 });
    expect(await measure("DELETE", path, undefined, seller)).toMatchObject({ status: 204, trips: 1 });
    expect(await measure("DELETE", path, undefined, seller)).toMatchObject({ status: 204, trips: 1 });
    const reserved = await list(seller);
    await force(reserved.id, "sold");
    expect(await measure("DELETE", `/api/vinyls/${reserved.id}`, undefined, seller)).toMatchObject({ status: 409, trips: 1 });
  });

  it("adds one lookup of the session among the revoked ones to a request that acts for a user, and none to an anonymous one", async () => {
    const seller = await newUser();
    expect(await measure("GET", "/api/vinyls/mine", undefined, seller)).toMatchObject({ status: 200, sessionChecks: 1 });
    expect(await measure("POST", "/api/vinyls", { title: "", price: 1, genre: "Jazz" }, seller)).toMatchObject({ status: 400, sessionChecks: 1 });
    expect(await measure("GET", "/api/vinyls")).toMatchObject({ status: 200, sessionChecks: 0 });
  });

  it("adds none to a public read by a signed-in shopper: every page a shopper browses costs what an anonymous one does", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    const shopper = await newUser();
    expect(await measure("GET", "/api/vinyls", undefined, shopper)).toMatchObject({ status: 200, trips: 1, sessionChecks: 0 });
    expect(await measure("GET", "/api/vinyls?q=counted&genre=Jazz", undefined, shopper)).toMatchObject({ status: 200, trips: 1, sessionChecks: 0 });
    expect(await measure("GET", `/api/vinyls/${vinyl.id}`, undefined, shopper)).toMatchObject({ status: 200, trips: 1, sessionChecks: 0 });
  });

  it("costs none for what is refused before the database: 401, 400, a malformed id, and photos", async () => {
    const seller = await newUser();
    expect(await measure("POST", "/api/vinyls", { title: "x", price: 1, genre: "Jazz" })).toMatchObject({ status: 401, trips: 0 });
    expect(await measure("POST", "/api/vinyls", { title: "", price: 1, genre: "Jazz" }, seller)).toMatchObject({ status: 400, trips: 0 });
    expect(await measure("GET", "/api/vinyls?limit=0")).toMatchObject({ status: 400, trips: 0 });
    expect(await measure("PUT", "/api/vinyls/not-an-id", { price: 1 }, seller)).toMatchObject({ status: 404, trips: 0 });
    expect(await measure("POST", "/api/vinyls/images", PNG, seller)).toMatchObject({ status: 201, trips: 0 });
  });
});
