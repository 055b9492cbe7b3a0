import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MEDIA_GRADES } from "../../../schema/events";
import { decodeCursor, encodeCursor } from "../src/cursor";
import { mediaRank } from "../src/grades";
import { keyFromImageUrl, parseImageKey } from "../src/image-key";
import { sniffImageType } from "../src/image-type";
import { fromCents, parseCents, toCents } from "../src/money";
import { searchMatch, toFtsQuery } from "../src/search";
import { AVIF, AVIF_COMPATIBLE, ftyp, GIF, HEIC, JPEG, PNG, TEXT, WEBP } from "./image-files";

describe("toCents", () => {
  it("converts every two-place amount up to 100000 exactly", () => {
    for (let cents = 1; cents <= 10_000_000; cents += 997) {
      const amount = Number((cents / 100).toFixed(2));
      expect(toCents(amount)).toBe(cents);
      expect(fromCents(cents)).toBe(amount);
    }
  });

  it("converts the classic float traps exactly", () => {
    expect(toCents(19.99)).toBe(1999);
    expect(toCents(0.29)).toBe(29);
    expect(toCents(1.15)).toBe(115);
    expect(toCents(4.35)).toBe(435);
    expect(toCents(1004.99)).toBe(100499);
  });

  it("refuses more than two decimal places, float noise and non-finite numbers", () => {
    for (const amount of [19.999, 0.001, 0.1 + 0.2, 1.005, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(toCents(amount)).toBeNull();
    }
  });
});

describe("parseCents", () => {
  it("reads decimal text without a float", () => {
    expect(parseCents("19.99")).toBe(1999);
    expect(parseCents("19.9")).toBe(1990);
    expect(parseCents("0")).toBe(0);
    expect(parseCents("100000")).toBe(10_000_000);
  });

  it.each(["", "-1", "+1", "1e3", "1.999", ".5", "5.", "0x10", " 1", "1,5", "NaN", "1234567890"])("refuses %j", (text) => {
    expect(parseCents(text)).toBeNull();
  });
});

describe("cursors", () => {
  const id = crypto.randomUUID();

  it("round-trip each sort's key", () => {
    for (const cursor of [
      { sort: "newest", key: "2026-01-02T03:04:05.678Z", id },
      { sort: "price_asc", key: 1999, id },
      { sort: "price_desc", key: 1, id },
      { sort: "listed", key: 123456 },
    ] as const) {
      const token = encodeCursor(cursor);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(token)).toEqual(cursor);
    }
  });

  it.each([
    "",
    "!!!",
    "bm90IGpzb24",
    btoa(JSON.stringify({ s: "newest", k: 5, id })),
    btoa(JSON.stringify({ s: "price_asc", k: "5", id })),
    btoa(JSON.stringify({ s: "price_asc", k: 5.5, id })),
    btoa(JSON.stringify({ s: "price_asc", k: 5, id: "x" })),
    btoa(JSON.stringify({ s: "oldest", k: 5, id })),
    btoa(JSON.stringify({ s: "price_asc", k: 5, id, extra: 1 })),
    btoa(JSON.stringify({ s: "listed", k: 5, id })),
    btoa(JSON.stringify({ s: "listed", k: "5" })),
    btoa(JSON.stringify({ s: "listed", k: 5.5 })),
    btoa(JSON.stringify({ s: "listed", k: 0 })),
    btoa(JSON.stringify({ s: "listed", k: 2 ** 53 })),
    btoa(JSON.stringify({ s: "listed" })),
    btoa(JSON.stringify([1, 2])),
    btoa("\xff\xfe"),
  ])("refuse the token %j", (token) => {
    expect(decodeCursor(token.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_"))).toBeNull();
  });
});

describe("toFtsQuery", () => {
  it("quotes each word as a prefix phrase", () => {
    expect(toFtsQuery("Kind of Blue")).toBe('"Kind"* "of"* "Blue"*');
  });

  it("takes FTS5 syntax as plain words or separators", () => {
    expect(toFtsQuery('title:"blue" NEAR(a b) -x *')).toBe('"title"* "blue"* "NEAR"* "a"* "b"* "x"*');
    expect(toFtsQuery("AND OR NOT")).toBe('"AND"* "OR"* "NOT"*');
  });

  it("keeps letters of every script and their accents", () => {
    expect(toFtsQuery("Björk 日本語 ñandú")).toBe('"Björk"* "日本語"* "ñandú"*');
    expect(toFtsQuery("e\u0301")).toBe(`"${"e\u0301".normalize("NFC")}"*`);
  });

  it("answers null when nothing is searchable", () => {
    for (const text of ["", "   ", '"', "*", "🎵", "\u0301", "--", "\u0000"]) expect(toFtsQuery(text)).toBeNull();
  });

  it("uses at most 16 words", () => {
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(" ");
    expect(toFtsQuery(words)!.split(" ")).toHaveLength(16);
  });
});

describe("searchMatch", () => {
  it("keeps the words to the text columns and asks for records for sale", () => {
    expect(searchMatch('"blue"* "train"*')).toBe('{title artist label description} : ("blue"* "train"*) AND status : "available"');
  });

  it("adds the genre as a term of its own column", () => {
    expect(searchMatch('"blue"*', "HipHop")).toBe('{title artist label description} : ("blue"*) AND status : "available" AND genre : "HipHop"');
  });
});

describe("sniffImageType", () => {
  it.each([
    [JPEG, "jpg"],
    [PNG, "png"],
    [WEBP, "webp"],
    [AVIF, "avif"],
    [AVIF_COMPATIBLE, "avif"],
    [ftyp("avis", "msf1"), "avif"],
  ])("recognises %#", (bytes, ext) => {
    expect(sniffImageType(bytes)?.ext).toBe(ext);
  });

  it("recognises nothing else", () => {
    for (const bytes of [GIF, HEIC, TEXT, new Uint8Array(), new Uint8Array([0xff, 0xd8]), PNG.slice(0, 7), ftyp("mp42", "isom")]) {
      expect(sniffImageType(bytes)).toBeNull();
    }
  });

  it("does not read past an ftyp box that claims to be larger than the file", () => {
    const bytes = ftyp("mif1", "avif");
    bytes[3] = 0xff;
    expect(sniffImageType(bytes)?.ext).toBe("avif");
    expect(sniffImageType(bytes.slice(0, 16))).toBeNull();
  });
});

describe("image keys", () => {
  const hash = "0123456789abcdef".repeat(4);

  it("accept only <sha256>.<ext> and map the extension to its type", () => {
    expect(parseImageKey(`${hash}.avif`)).toEqual({ sha256: hash, type: { ext: "avif", contentType: "image/avif" } });
    for (const key of [`${hash}.gif`, `${hash}.JPG`, `${hash.toUpperCase()}.jpg`, `../${hash}.jpg`, `${hash}.jpg/x`, hash]) {
      expect(parseImageKey(key)).toBeNull();
    }
  });

  it("read the key out of this shop's image URLs only", () => {
    expect(keyFromImageUrl(`/images/${hash}.png`)).toBe(`${hash}.png`);
    for (const url of [`https://example.com/images/${hash}.png`, `/images/${hash}.png?x=1`, `images/${hash}.png`, `/images//${hash}.png`]) {
      expect(keyFromImageUrl(url)).toBeNull();
    }
  });
});

describe("media ranks", () => {
  it("run from M = 8 down to P = 1", () => {
    expect(MEDIA_GRADES.map(mediaRank)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it("agree with the generated media_rank column", async () => {
    for (const grade of MEDIA_GRADES) {
      const row = await env.CATALOG_DB.prepare(
        "insert into vinyls (id, user_id, title, genre, price_cents, media_condition, created_at, updated_at) values (?, ?, 't', 'Jazz', 1, ?, 'x', 'x') returning media_rank",
      )
        .bind(crypto.randomUUID(), crypto.randomUUID(), grade)
        .first<{ media_rank: number }>();
      expect(row!.media_rank).toBe(mediaRank(grade));
    }
  });
});

describe("the vinyls table", () => {
  const insert = (status: string, orderId: string | null, priceCents = 100) =>
    env.CATALOG_DB.prepare(
      "insert into vinyls (id, user_id, title, genre, price_cents, status, order_id, created_at, updated_at) values (?, ?, 't', 'Jazz', ?, ?, ?, 'x', 'x')",
    )
      .bind(crypto.randomUUID(), crypto.randomUUID(), priceCents, status, orderId)
      .run();

  it("refuses an unknown status, a price of 0, and an order id that does not fit the status", async () => {
    await expect(insert("lost", null)).rejects.toThrow(/CHECK/);
    await expect(insert("available", null, 0)).rejects.toThrow(/CHECK/);
    await expect(insert("reserved", null)).rejects.toThrow(/CHECK/);
    await expect(insert("available", crypto.randomUUID())).rejects.toThrow(/CHECK/);
    await expect(insert("sold", crypto.randomUUID())).resolves.toBeTruthy();
  });
});
