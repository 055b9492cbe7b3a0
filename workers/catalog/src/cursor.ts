import { z } from "zod";

/** The orders a listing can be paged in. */
export const SORTS = ["newest", "price_asc", "price_desc"] as const;
export type Sort = (typeof SORTS)[number];

/**
 * The order a page is in: a sort, or `listed`, the newest-first order of a search, which is
 * the order the listings were made in (`seq`), read straight off the full-text index.
 */
export type Order = Sort | "listed";

/**
 * Where the previous page stopped: the order it belongs to, the last row's sort key and its
 * id (the tie-breaker; `seq` is unique and needs none). Keyset paging stays exact while
 * records are added or sold between pages, which an offset would not.
 */
export type Cursor =
  | { sort: "newest"; key: string; id: string }
  | { sort: "price_asc" | "price_desc"; key: number; id: string }
  | { sort: "listed"; key: number };

const positive = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const shape = z.union([
  z.object({ s: z.literal("newest"), k: z.iso.datetime(), id: z.uuid() }).strict(),
  z.object({ s: z.enum(["price_asc", "price_desc"]), k: positive, id: z.uuid() }).strict(),
  z.object({ s: z.literal("listed"), k: positive }).strict(),
]);

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** An opaque token for the page after `cursor`: base64url of a small JSON object. */
export function encodeCursor(cursor: Cursor): string {
  const json = cursor.sort === "listed" ? { s: cursor.sort, k: cursor.key } : { s: cursor.sort, k: cursor.key, id: cursor.id };
  return toBase64Url(new TextEncoder().encode(JSON.stringify(json)));
}

/** The cursor a token stands for, or null for anything this service did not issue. */
export function decodeCursor(token: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(token)) return null;
  try {
    const base64 = token.replace(/-/g, "+").replace(/_/g, "/");
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0)));
    const parsed = shape.safeParse(JSON.parse(text));
    if (!parsed.success) return null;
    const data = parsed.data;
    if (data.s === "listed") return { sort: data.s, key: data.k };
    return data.s === "newest" ? { sort: data.s, key: data.k, id: data.id } : { sort: data.s, key: data.k, id: data.id };
  } catch {
    return null;
  }
}
