import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { expectError, force, get, list, newUser, send, type Vinyl } from "./client";

/** A word no other test uses, so each test sees only its own records. */
const token = () => `tok${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;

const search = async (query: string) => {
  const res = await get(`/api/vinyls?${query}`);
  expect(res.status).toBe(200);
  return res.json<Vinyl[]>();
};
const titles = async (query: string) => (await search(query)).map((v) => v.title);

describe("full-text search with q", () => {
  it.each([
    ["title", { title: "TITLEWORD" }],
    ["artist", { artist: "ARTISTWORD" }],
    ["label", { label: "LABELWORD" }],
    ["description", { description: "Has a DESCRIPTIONWORD in it" }],
  ])("finds a record by a word of its %s", async (_, fields) => {
    const tag = token();
    const word = Object.values(fields)[0]!.match(/[A-Z]+WORD/)![0]!;
    const fieldsWithTag = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.replace(word, `${word}${tag}`)]));
    const vinyl = await list(await newUser(), fieldsWithTag);
    expect((await search(`q=${word}${tag}`)).map((v) => v.id)).toEqual([vinyl.id]);
  });

  it("matches words case-insensitively, by prefix, and without regard to accents", async () => {
    const tag = token();
    const vinyl = await list(await newUser(), { artist: `Björk ${tag}`, title: "Homogenic" });
    for (const q of [`${tag} björk`, `${tag} BJORK`, `${tag} bjö`, `${tag} homo`, tag.toUpperCase()]) {
      expect((await search(`q=${encodeURIComponent(q)}`)).map((v) => v.id)).toEqual([vinyl.id]);
    }
  });

  it("requires every word to match somewhere", async () => {
    const tag = token();
    const seller = await newUser();
    await list(seller, { title: "Blue Train", artist: `John Coltrane ${tag}` });
    await list(seller, { title: "Blue Lines", artist: `Massive Attack ${tag}` });
    expect(await titles(`q=${tag}+blue`)).toEqual(["Blue Lines", "Blue Train"]);
    expect(await titles(`q=${tag}+blue+coltrane`)).toEqual(["Blue Train"]);
    expect(await titles(`q=${tag}+blue+nothing`)).toEqual([]);
  });

  it("shows only available records", async () => {
    const tag = token();
    const seller = await newUser();
    const shown = await list(seller, { title: "Shown", label: tag });
    for (const status of ["reserved", "sold", "withdrawn"] as const) await force((await list(seller, { label: tag })).id, status);
    expect((await search(`q=${tag}`)).map((v) => v.id)).toEqual([shown.id]);
  });

  it("finds a record again once it is for sale again, in its place", async () => {
    const tag = token();
    const seller = await newUser();
    const older = await list(seller, { label: tag });
    const back = await list(seller, { label: tag });
    await force(back.id, "reserved");
    expect((await search(`q=${tag}`)).map((v) => v.id)).toEqual([older.id]);
    await force(back.id, "available");
    expect((await search(`q=${tag}`)).map((v) => v.id)).toEqual([back.id, older.id]);
  });

  it("matches the text only, never a record's genre or status", async () => {
    const tag = token();
    const seller = await newUser();
    await list(seller, { title: `Plain ${tag}`, genre: "Jazz" });
    const named = await list(seller, { title: `Jazz available ${tag}`, genre: "Rock" });
    expect((await search(`q=${tag}+jazz`)).map((v) => v.id)).toEqual([named.id]);
    expect((await search(`q=${tag}+available`)).map((v) => v.id)).toEqual([named.id]);
    expect(await search(`q=${tag}+rock`)).toEqual([]);
    expect((await search(`q=${tag}&genre=Rock`)).map((v) => v.id)).toEqual([named.id]);
  });

  it("keeps the full-text index in step with every kind of write", async () => {
    const tag = token();
    const seller = await newUser();
    const vinyl = await list(seller, { title: `Indexed ${tag}` });
    for (const edit of [{ title: `Renamed ${tag}` }, { genre: "Soul" }, { price: 7 }, { description: "Now described" }]) {
      expect((await send("PUT", `/api/vinyls/${vinyl.id}`, edit, seller)).status).toBe(200);
    }
    for (const status of ["reserved", "available", "sold"] as const) await force(vinyl.id, status);
    const withdrawn = await list(seller, { title: `Withdrawn ${tag}` });
    expect((await send("DELETE", `/api/vinyls/${withdrawn.id}`, undefined, seller)).status).toBe(204);
    // Throws when the index and the table disagree.
    await env.CATALOG_DB.prepare("insert into vinyls_search (vinyls_search, rank) values ('integrity-check', 1)").run();
    expect(await search(`q=${tag}`)).toEqual([]);
  });

  it("follows edits: a new title is found and the old one is not", async () => {
    const tag = token();
    const seller = await newUser();
    const vinyl = await list(seller, { title: `Before${tag}` });
    const res = await send("PUT", `/api/vinyls/${vinyl.id}`, { title: `After${tag}` }, seller);
    expect(res.status).toBe(200);
    expect(await search(`q=Before${tag}`)).toEqual([]);
    expect((await search(`q=After${tag}`)).map((v) => v.id)).toEqual([vinyl.id]);
  });

  it("combines search with genre, price, condition and sort", async () => {
    const tag = token();
    const seller = await newUser();
    const add = (title: string, genre: string, price: number, mediaCondition: string | null) =>
      list(seller, { title, genre, price, mediaCondition, label: tag });
    await add("Cheap jazz NM", "Jazz", 5, "NM");
    await add("Mid jazz VG+", "Jazz", 20, "VG+");
    await add("Mid jazz G", "Jazz", 21, "G");
    await add("Dear jazz M", "Jazz", 90, "M");
    await add("Mid rock M", "Rock", 20, "M");
    await add("Ungraded jazz", "Jazz", 20, null);
    expect(await titles(`q=${tag}&genre=Jazz&minPrice=10&maxPrice=50&condition=VG%2B&sort=price_asc`)).toEqual(["Mid jazz VG+"]);
    expect(await titles(`q=${tag}&genre=Jazz&condition=NM&sort=price_desc`)).toEqual(["Dear jazz M", "Cheap jazz NM"]);
    expect(await titles(`q=${tag}&minPrice=20&maxPrice=20&sort=price_asc`)).toHaveLength(3);
    expect(await titles(`q=${tag}&condition=P`)).toHaveLength(5);
    expect(await titles(`q=${tag}&maxPrice=4.99`)).toEqual([]);
    expect(await titles(`q=${tag}&minPrice=90.00`)).toEqual(["Dear jazz M"]);
  });

  // Everything FTS5 treats as syntax, and text it cannot tokenize, must be taken as words or ignored.
  it.each([
    '"',
    '""',
    '"unterminated',
    "'",
    "*",
    "**",
    "a*",
    "*a",
    "NEAR",
    "NEAR(a b)",
    "a NEAR/2 b",
    "AND",
    "OR",
    "NOT",
    "a OR b",
    "a AND NOT b",
    "-",
    "-a",
    "+",
    "^a",
    "title:blue",
    "{title artist}:blue",
    "col:",
    ":",
    "(",
    ")",
    "((a)",
    "[",
    "]",
    "{}",
    "\\",
    "%",
    "%%",
    "_",
    ";",
    "'; DROP TABLE vinyls; --",
    "\u0000",
    "a\u0000b",
    "\u0301",
    "é\u0301",
    "🎵",
    "🎵 vinyl 🎵",
    "日本語",
    "ñandú",
    "Ǆ",
    "\uFEFF",
    "\u200B",
    "   ",
    "x".repeat(200),
    Array.from({ length: 40 }, (_, i) => `w${i}`).join(" "),
  ])("answers 200 for the search text %j", async (q) => {
    const res = await get(`/api/vinyls?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    expect(Array.isArray(await res.json())).toBe(true);
  });

  it("answers 400 for search text over 200 characters", async () => {
    const body = await expectError(await get(`/api/vinyls?q=${"x".repeat(201)}`), 400);
    expect(body.errors).toEqual([{ field: "q", message: expect.any(String) }]);
  });

  it("answers 200 for a malformed percent-encoding", async () => {
    expect((await get(`/api/vinyls?q=%E0%A4%A`)).status).toBe(200);
    expect((await get(`/api/vinyls?q=%`)).status).toBe(200);
  });
});
