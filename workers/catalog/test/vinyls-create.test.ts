import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GENRES, MEDIA_GRADES, SLEEVE_GRADES } from "../../../schema/events";
import { vinyls } from "../../../schema/tables/catalog";
import { call, db, expectError, get, list, newUser, send, validVinyl, type Vinyl } from "./client";
import { PNG } from "./image-files";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function uploadedImageUrl() {
  const seller = await newUser();
  const res = await call("/api/vinyls/images", { method: "POST", headers: { cookie: seller.cookie }, body: PNG });
  return (await res.json<{ imageUrl: string }>()).imageUrl;
}

const storedCents = async (id: string) =>
  (await db.select({ cents: vinyls.priceCents }).from(vinyls).where(eq(vinyls.id, id)))[0]!.cents;

describe("POST /api/vinyls", () => {
  it("lists a record for the signed-in seller with version 0 and status available", async () => {
    const seller = await newUser();
    const res = await send("POST", "/api/vinyls", validVinyl(), seller);
    expect(res.status).toBe(201);
    const vinyl = await res.json<Vinyl>();
    expect(vinyl).toEqual({
      id: expect.stringMatching(UUID),
      userId: seller.id,
      title: "Kind of Blue",
      artist: "Miles Davis",
      genre: "Jazz",
      price: 25,
      currency: "USD",
      description: null,
      imageUrl: null,
      mediaCondition: null,
      sleeveCondition: null,
      format: null,
      year: null,
      label: "Columbia",
      // Shipping not given: the documented defaults.
      shipsFrom: "US",
      shippingDomestic: 5,
      shippingInternational: null,
      // No profile of this seller has reached the catalog yet.
      seller: null,
      status: "available",
      orderId: null,
      version: 0,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(new Date(vinyl.createdAt).toISOString()).toBe(vinyl.createdAt);
    expect(vinyl.updatedAt).toBe(vinyl.createdAt);
    expect(await (await get(`/api/vinyls/${vinyl.id}`)).json()).toEqual(vinyl);
  });

  it("keeps every optional field it is given, trimmed", async () => {
    const seller = await newUser();
    const imageUrl = await uploadedImageUrl();
    const vinyl = await list(seller, {
      title: "  A Love Supreme  ",
      artist: " John Coltrane ",
      description: "Original Impulse! pressing.",
      imageUrl,
      mediaCondition: "VG+",
      sleeveCondition: "NO_COVER",
      format: "LP",
      year: 1965,
      label: "Impulse!",
    });
    expect(vinyl).toMatchObject({
      title: "A Love Supreme",
      artist: "John Coltrane",
      description: "Original Impulse! pressing.",
      imageUrl,
      mediaCondition: "VG+",
      sleeveCondition: "NO_COVER",
      format: "LP",
      year: 1965,
      label: "Impulse!",
    });
  });

  it("treats blank optional fields as absent", async () => {
    const seller = await newUser();
    const vinyl = await list(seller, { artist: "   ", label: "", description: "", mediaCondition: "", year: "", imageUrl: "" });
    expect(vinyl).toMatchObject({ artist: null, label: null, description: null, mediaCondition: null, year: null, imageUrl: null });
  });

  it("ignores fields a seller may not set, such as status, version, owner and id", async () => {
    const seller = await newUser();
    const other = crypto.randomUUID();
    const vinyl = await list(seller, { status: "sold", version: 7, userId: other, id: other, orderId: other, currency: "EUR" });
    expect(vinyl).toMatchObject({ status: "available", version: 0, userId: seller.id, orderId: null, currency: "USD" });
    expect(vinyl.id).not.toBe(other);
  });

  it.each([
    [19.99, 1999],
    [0.01, 1],
    [0.1, 10],
    [0.29, 29],
    [1004.99, 100499],
    [4.35, 435],
    [100000, 10000000],
    [99999.99, 9999999],
    [1.1, 110],
    [8.2, 820],
  ])("stores the price %d as exactly %d cents and answers it back unchanged", async (price, cents) => {
    const vinyl = await list(await newUser(), { price });
    expect(vinyl.price).toBe(price);
    expect(await storedCents(vinyl.id)).toBe(cents);
  });

  it.each(GENRES)("accepts the genre %s", async (genre) => {
    expect((await list(await newUser(), { genre })).genre).toBe(genre);
  });

  it("accepts every Goldmine grade for media and sleeve", async () => {
    const seller = await newUser();
    for (const grade of MEDIA_GRADES) expect((await list(seller, { mediaCondition: grade })).mediaCondition).toBe(grade);
    for (const grade of SLEEVE_GRADES) expect((await list(seller, { sleeveCondition: grade })).sleeveCondition).toBe(grade);
  });

  it("accepts years from 1890 through next year", async () => {
    const seller = await newUser();
    const next = new Date().getUTCFullYear() + 1;
    expect((await list(seller, { year: 1890 })).year).toBe(1890);
    expect((await list(seller, { year: next })).year).toBe(next);
  });

  it("accepts a title of 200 characters and a description of 4000", async () => {
    const vinyl = await list(await newUser(), { title: "t".repeat(200), description: "d".repeat(4000) });
    expect(vinyl.title).toHaveLength(200);
    expect(vinyl.description).toHaveLength(4000);
  });

  it("answers 401 to an anonymous seller, before looking at the body", async () => {
    const res = await send("POST", "/api/vinyls", { title: "" });
    expect((await expectError(res, 401)).errors).toEqual([{ message: "You must be signed in" }]);
  });

  it("answers 401 to a forged session", async () => {
    const seller = await newUser();
    const forged = { ...seller, cookie: seller.cookie.slice(0, -2) + "xx" };
    await expectError(await send("POST", "/api/vinyls", validVinyl(), forged), 401);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a missing title", { title: undefined }, "title"],
    ["a blank title", { title: "   " }, "title"],
    ["a title of 201 characters", { title: "t".repeat(201) }, "title"],
    ["a title that is not text", { title: 42 }, "title"],
    ["a missing price", { price: undefined }, "price"],
    ["a price of 0", { price: 0 }, "price"],
    ["a negative price", { price: -5 }, "price"],
    ["a price over 100000", { price: 100000.01 }, "price"],
    ["a price with 3 decimals", { price: 19.999 }, "price"],
    ["a price with float noise", { price: 0.1 + 0.2 }, "price"],
    ["a price sent as text", { price: "19.99" }, "price"],
    ["a missing genre", { genre: undefined }, "genre"],
    ["an unknown genre", { genre: "Polka" }, "genre"],
    ["a genre in the wrong case", { genre: "jazz" }, "genre"],
    ["a description of 4001 characters", { description: "d".repeat(4001) }, "description"],
    ["an unknown media grade", { mediaCondition: "Excellent" }, "mediaCondition"],
    ["a sleeve-only grade for the media", { mediaCondition: "GENERIC" }, "mediaCondition"],
    ["an unknown sleeve grade", { sleeveCondition: "VG-" }, "sleeveCondition"],
    ["a year before 1890", { year: 1889 }, "year"],
    ["a year after next year", { year: new Date().getUTCFullYear() + 2 }, "year"],
    ["a fractional year", { year: 1969.5 }, "year"],
    ["an artist of 201 characters", { artist: "a".repeat(201) }, "artist"],
    ["a label of 201 characters", { label: "l".repeat(201) }, "label"],
    ["a format of 101 characters", { format: "f".repeat(101) }, "format"],
    ["an image from elsewhere", { imageUrl: "https://example.com/cover.jpg" }, "imageUrl"],
    ["an image path that is not ours", { imageUrl: "/images/../secrets.png" }, "imageUrl"],
    ["a well-formed image that was never uploaded", { imageUrl: `/images/${"a".repeat(64)}.png` }, "imageUrl"],
  ])("answers 400 for %s, naming the field, and lists nothing", async (_, overrides, field) => {
    const seller = await newUser();
    const res = await send("POST", "/api/vinyls", validVinyl(overrides), seller);
    const body = await expectError(res, 400);
    expect(body.errors).toEqual([{ field, message: expect.any(String) }]);
    expect((await (await get("/api/vinyls/mine", seller)).json<Vinyl[]>()).length).toBe(0);
  });

  it("reports every failing field at once", async () => {
    const res = await send("POST", "/api/vinyls", { title: "", price: 0, genre: "Polka", year: 1 }, await newUser());
    const body = await expectError(res, 400);
    expect(body.errors.map((e) => e.field).sort()).toEqual(["genre", "price", "title", "year"]);
  });

  it("answers 400 for a body that is not a JSON object", async () => {
    const seller = await newUser();
    for (const body of [[], "text", 42, null]) await expectError(await send("POST", "/api/vinyls", body, seller), 400);
  });

  it("answers 400 for malformed JSON", async () => {
    const seller = await newUser();
    const res = await call("/api/vinyls", {
      method: "POST",
      headers: { "content-type": "application/json", cookie: seller.cookie },
      body: '{"title": "x", ',
    });
    await expectError(res, 400);
  });

  it("answers 415 for a body that is not sent as JSON", async () => {
    const seller = await newUser();
    const res = await call("/api/vinyls", {
      method: "POST",
      headers: { "content-type": "text/plain", cookie: seller.cookie },
      body: JSON.stringify(validVinyl()),
    });
    await expectError(res, 415);
  });

  it("answers 413 for a JSON body over 64 KiB", async () => {
    const seller = await newUser();
    const res = await send("POST", "/api/vinyls", validVinyl({ description: "d".repeat(70 * 1024) }), seller);
    await expectError(res, 413);
  });

  it("refuses a cross-origin request from a browser", async () => {
    const seller = await newUser();
    const res = await send("POST", "/api/vinyls", validVinyl(), seller, { origin: "https://evil.example" });
    await expectError(res, 403);
  });

  it("accepts a year sent as null and keeps the record's image after the upload", async () => {
    const imageUrl = await uploadedImageUrl();
    const vinyl = await list(await newUser(), { year: null, imageUrl });
    expect(vinyl.year).toBeNull();
    expect((await env.IMAGES.head(imageUrl.slice("/images/".length)))?.size).toBe(PNG.byteLength);
  });
});
