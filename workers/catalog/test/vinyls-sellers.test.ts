import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createEvent } from "../../../schema/events";
import { profiles } from "../../../schema/tables/catalog";
import worker from "../src/index";
import { cmp } from "./list-filters";
import { db, downQueue, expectError, force, get, list, newUser, walk, type Seller, type Vinyl } from "./client";

/** A profile as auth publishes it; the envelope's version is the profile's. */
function profileEvent(user: { id: string }, username: string, displayName: string | null, version: number, country: string | null = "US") {
  return createEvent(
    "profile_updated",
    "auth",
    { userId: user.id, username, displayName, country, memberSince: "2026-01-15T10:00:00.000Z" },
    version,
  );
}

/** Delivers `bodies` as one batch to the catalog inbox; every message must be acknowledged. */
async function deliver(...bodies: unknown[]) {
  const messages = bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body }));
  const batch = createMessageBatch("catalog-events", messages);
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ORDERS_EVENTS: downQueue }, ctx);
  const result = await getQueueResult(batch, ctx);
  expect(result.retryMessages).toEqual([]);
  expect(result.explicitAcks).toEqual(expect.arrayContaining(messages.map((m) => m.id)));
}

const read = async (id: string) => (await get(`/api/vinyls/${id}`)).json<Vinyl>();

let serial = 0;
/** A username no other test of this file uses. */
const uniqueName = (stem: string) => `${stem}-${++serial}-${crypto.randomUUID().slice(0, 6)}`;

describe("the seller's name on a listing", () => {
  it("is null until the seller's profile arrives, then shows on every listing of theirs, in any status", async () => {
    const seller = await newUser();
    const [a, b, c] = [await list(seller, { title: "First" }), await list(seller, { title: "Second" }), await list(seller, { title: "Third" })];
    expect(a.seller).toBeNull();
    await force(b.id, "sold");
    await force(c.id, "withdrawn");

    const username = uniqueName("crate-digger");
    await deliver(profileEvent(seller, username, "Crate Digger", 1));

    for (const vinyl of [a, b, c]) expect((await read(vinyl.id)).seller).toEqual({ username, displayName: "Crate Digger" });
    const mine = await (await get("/api/vinyls/mine", seller)).json<Vinyl[]>();
    expect(mine.map((v) => v.seller)).toEqual([1, 2, 3].map(() => ({ username, displayName: "Crate Digger" })));
  });

  it("is the username with a null display name when the seller has none", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    const username = uniqueName("plain");
    await deliver(profileEvent(seller, username, null, 1));
    expect((await read(vinyl.id)).seller).toEqual({ username, displayName: null });
  });

  it("is on a listing made after the profile arrived, from the start", async () => {
    const seller = await newUser();
    const username = uniqueName("early-bird");
    await deliver(profileEvent(seller, username, "Early Bird", 1));
    const vinyl = await list(seller);
    expect(vinyl.seller).toEqual({ username, displayName: "Early Bird" });
    expect((await read(vinyl.id)).seller).toEqual({ username, displayName: "Early Bird" });
  });

  it("follows a newer profile, and ignores one older than what it holds, in whatever order they arrive", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    const username = uniqueName("renamer");
    const v1 = profileEvent(seller, username, "Old Name", 1);
    const v2 = profileEvent(seller, username, "New Name", 2);
    const v3 = profileEvent(seller, username, null, 3);

    await deliver(v2);
    expect((await read(vinyl.id)).seller).toEqual({ username, displayName: "New Name" });
    // Older than what the replica holds: changes nothing, neither the replica nor the listing.
    await deliver(v1);
    expect((await read(vinyl.id)).seller).toEqual({ username, displayName: "New Name" });
    const [replica] = await db.select().from(profiles).where(eq(profiles.userId, seller.id));
    expect(replica).toMatchObject({ displayName: "New Name", version: 2 });
    // A newer one clears the display name.
    await deliver(v3);
    expect((await read(vinyl.id)).seller).toEqual({ username, displayName: null });
    // Delivered again (a redelivery, and the older one republished): still the newest.
    await deliver(v2, { ...v1, id: crypto.randomUUID() });
    expect((await read(vinyl.id)).seller).toEqual({ username, displayName: null });
  });

  it("changes neither the listing's version nor its update time, and announces nothing", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    await deliver(profileEvent(seller, uniqueName("quiet"), "Quiet", 1));
    const after = await read(vinyl.id);
    expect({ version: after.version, updatedAt: after.updatedAt }).toEqual({ version: vinyl.version, updatedAt: vinyl.updatedAt });
  });

  it("touches no other seller's listings", async () => {
    const [one, two] = [await newUser(), await newUser()];
    const [mine, theirs] = [await list(one), await list(two)];
    await deliver(profileEvent(one, uniqueName("one"), "One", 1));
    expect((await read(mine.id)).seller).not.toBeNull();
    expect((await read(theirs.id)).seller).toBeNull();
  });

  it("is on every record of the public list", async () => {
    const seller = await newUser();
    const username = uniqueName("lister");
    await deliver(profileEvent(seller, username, "Lister", 1));
    const vinyl = await list(seller, { title: "Listed With Name" });
    const page = await (await get(`/api/vinyls?q=${encodeURIComponent("Listed With Name")}`)).json<Vinyl[]>();
    expect(page.find((v) => v.id === vinyl.id)?.seller).toEqual({ username, displayName: "Lister" });
  });
});

describe("GET /api/vinyls?seller=", () => {
  let seller: Seller;
  let other: Seller;
  let username: string;
  // This seller's records for sale, as listed.
  const forSale: Vinyl[] = [];

  beforeAll(async () => {
    seller = await newUser();
    other = await newUser();
    username = uniqueName("shop");
    await deliver(profileEvent(seller, username, "The Shop", 1), profileEvent(other, uniqueName("elsewhere"), "Elsewhere", 1));
    const genres = ["Jazz", "Rock", "Soul"];
    for (let i = 0; i < 30; i++) {
      const vinyl = await list(seller, { title: `Shop record ${i}`, genre: genres[i % 3], price: 10 + (i % 7), artist: i % 2 ? "Odd Band" : "Even Band" });
      if (i % 10 === 9) await force(vinyl.id, "sold");
      else if (i % 10 === 8) await force(vinyl.id, "withdrawn");
      else forSale.push(vinyl);
      // The other seller lists the same kinds of records in between.
      if (i % 3 === 0) await list(other, { title: `Other record ${i}`, genre: genres[i % 3], artist: "Even Band" });
    }
  });

  const newestFirst = (vs: Vinyl[]) => [...vs].sort((a, b) => cmp(b.createdAt, a.createdAt) || cmp(b.id, a.id)).map((v) => v.id);

  it("lists only that seller's records for sale, newest first", async () => {
    const res = await get(`/api/vinyls?seller=${username}&limit=100`);
    expect(res.status).toBe(200);
    const page = await res.json<Vinyl[]>();
    expect(page.map((v) => v.id)).toEqual(newestFirst(forSale));
    expect(page.every((v) => v.userId === seller.id && v.status === "available")).toBe(true);
    expect(page[0]!.seller).toEqual({ username, displayName: "The Shop" });
  });

  it("answers an empty list, not a 404, for a username nobody has", async () => {
    const res = await get(`/api/vinyls?seller=${uniqueName("nobody")}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
    expect(res.headers.get("link")).toBeNull();
  });

  it("answers an empty list for a seller who has a profile but nothing for sale", async () => {
    const idle = await newUser();
    const name = uniqueName("idle");
    await deliver(profileEvent(idle, name, null, 1));
    expect(await (await get(`/api/vinyls?seller=${name}`)).json()).toEqual([]);
  });

  it("takes the username in any case", async () => {
    const page = await (await get(`/api/vinyls?seller=${username.toUpperCase()}&limit=100`)).json<Vinyl[]>();
    expect(page).toHaveLength(forSale.length);
  });

  it("combines with a genre", async () => {
    const page = await (await get(`/api/vinyls?seller=${username}&genre=Rock&limit=100`)).json<Vinyl[]>();
    expect(page.map((v) => v.id)).toEqual(newestFirst(forSale.filter((v) => v.genre === "Rock")));
  });

  it("combines with a search", async () => {
    const page = await (await get(`/api/vinyls?seller=${username}&q=odd&limit=100`)).json<Vinyl[]>();
    expect(page.map((v) => v.id)).toEqual(newestFirst(forSale.filter((v) => v.artist === "Odd Band")));
  });

  it("combines with a price range and a sort", async () => {
    const page = await (await get(`/api/vinyls?seller=${username}&minPrice=12&maxPrice=14&sort=price_asc&limit=100`)).json<Vinyl[]>();
    const expected = forSale
      .filter((v) => v.price >= 12 && v.price <= 14)
      .sort((a, b) => cmp(a.price, b.price) || cmp(a.id, b.id))
      .map((v) => v.id);
    expect(page.map((v) => v.id)).toEqual(expected);
  });

  it.each([
    ["newest", ""],
    ["with a genre", "&genre=Jazz"],
    ["sorted by price", "&sort=price_desc"],
    ["with a search", "&q=band"],
  ])("pages through all of them %s, each once, keeping the seller in the next link", async (_, rest) => {
    const pages = await walk(`/api/vinyls?seller=${username}${rest}&limit=4`);
    expect(pages.length).toBeGreaterThan(1);
    const ids = pages.flat().map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
    const genre = /genre=(\w+)/.exec(rest)?.[1];
    expect(ids.sort()).toEqual(forSale.filter((v) => !genre || v.genre === genre).map((v) => v.id).sort());
  });

  it.each(["a", "-shop", "shop-", "has space", "x".repeat(31), "émile"])("answers 400 on seller for the malformed username %j", async (name) => {
    const body = await expectError(await get(`/api/vinyls?seller=${encodeURIComponent(name)}`), 400);
    expect(body.errors).toEqual([{ field: "seller", message: "Seller must be a username" }]);
  });

  it("treats an empty seller as no filter, as a browse form sends it", async () => {
    const all = await (await get("/api/vinyls?limit=100")).json<Vinyl[]>();
    const empty = await (await get("/api/vinyls?seller=&limit=100")).json<Vinyl[]>();
    expect(empty.map((v) => v.id)).toEqual(all.map((v) => v.id));
    expect(empty.some((v) => v.userId === other.id)).toBe(true);
  });

  it("answers 400 for a repeated seller", async () => {
    await expectError(await get(`/api/vinyls?seller=${username}&seller=${username}`), 400);
  });
});
