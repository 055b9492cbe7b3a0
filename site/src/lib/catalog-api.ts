import type { GENRES, MEDIA_GRADES, SLEEVE_GRADES, VINYL_STATUSES } from "../../../schema/vocabulary";
import { apiFailure, callApi, isId, unknownId, type Result } from "./api";

export type { Result };

export type Genre = (typeof GENRES)[number];
export type MediaGrade = (typeof MEDIA_GRADES)[number];
export type SleeveGrade = (typeof SLEEVE_GRADES)[number];
export type VinylStatus = (typeof VINYL_STATUSES)[number];

/** A record as `/api/vinyls` answers it (shared/API.md). */
export type Vinyl = {
  id: string;
  userId: string;
  title: string;
  artist: string | null;
  genre: Genre;
  price: number;
  currency: string;
  description: string | null;
  imageUrl: string | null;
  mediaCondition: MediaGrade | null;
  sleeveCondition: SleeveGrade | null;
  format: string | null;
  year: number | null;
  label: string | null;
  /** ISO 3166-1 alpha-2 country the record ships from. */
  shipsFrom: string;
  /** Shipping within `shipsFrom`'s country, in the record's currency. */
  shippingDomestic: number;
  /** Shipping to any other country; `null`: the seller does not ship abroad. */
  shippingInternational: number | null;
  /** The seller's public name; `null` until their profile reached the catalog. */
  seller: SellerName | null;
  status: VinylStatus;
  orderId: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
};

/** Someone's public name: the username, and the display name they chose, if any. */
export type SellerName = { username: string; displayName: string | null };

/** One page of a list, and the cursor of the next when more remain. */
export type VinylPage = { ok: true; vinyls: Vinyl[]; nextCursor: string | null };

/** What a seller sends to list or edit a record. */
export type VinylInput = {
  title?: string;
  artist?: string;
  genre?: string;
  price?: number | string;
  description?: string;
  imageUrl?: string;
  mediaCondition?: string;
  sleeveCondition?: string;
  format?: string;
  year?: number | string;
  label?: string;
  shipsFrom?: string;
  shippingDomestic?: number | string;
  /** `null`: does not ship abroad. */
  shippingInternational?: number | string | null;
};

/** The inputs of the listing form whose API errors are shown next to them. */
export const VINYL_FIELDS = [
  "title",
  "artist",
  "genre",
  "price",
  "description",
  "imageUrl",
  "mediaCondition",
  "sleeveCondition",
  "format",
  "year",
  "label",
  "shipsFrom",
  "shippingDomestic",
  "shippingInternational",
] as const;

/** Whether `id` could name a record at all; anything else is simply unknown. */
export const isVinylId = isId;

/** The `cursor` of a `Link: <…>; rel="next"` header, or null when there is no next page. */
export function nextCursor(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(",")) {
    const match = /<([^>]*)>\s*;(?:[^;]*;)*\s*rel="?([^";]*)"?/i.exec(part);
    if (!match || !match[2]!.split(/\s+/).includes("next")) continue;
    try {
      return new URL(match[1]!, "http://link.invalid").searchParams.get("cursor");
    } catch {
      return null;
    }
  }
  return null;
}

/** The query parameters of the lists; a 400 names the bad one in `field`. */
const LIST_FIELDS = ["q", "genre", "condition", "minPrice", "maxPrice", "sort", "seller", "limit", "cursor"] as const;

async function readPage(res: Response | null): Promise<Result<Omit<VinylPage, "ok">>> {
  if (!res?.ok) return apiFailure(res, LIST_FIELDS);
  return { ok: true, vinyls: (await res.json()) as Vinyl[], nextCursor: nextCursor(res.headers.get("link")) };
}

/** The query of `GET /api/vinyls`: every value as the shopper typed it. */
export type ListQuery = Partial<Record<"q" | "genre" | "condition" | "minPrice" | "maxPrice" | "sort" | "seller" | "cursor" | "limit", string>>;

/** `GET /api/vinyls`: one page of available records. A 400 names the bad value. */
export async function listVinyls(request: Request, query: ListQuery) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  const search = params.size > 0 ? `?${params}` : "";
  return readPage(await callApi("CATALOG", request, `/api/vinyls${search}`));
}

/** `GET /api/vinyls/mine`: the visitor's own listings in every status. */
export async function myVinyls(request: Request, cursor: string | null) {
  const search = cursor ? `?${new URLSearchParams({ cursor })}` : "";
  return readPage(await callApi("CATALOG", request, `/api/vinyls/mine${search}`));
}

/** `GET /api/vinyls/:id`: one record in any status; a malformed id is answered 404 without asking. */
export async function getVinyl(request: Request, id: string | undefined): Promise<Result<{ vinyl: Vinyl }>> {
  if (!isVinylId(id)) return unknownId("Vinyl not found");
  const res = await callApi("CATALOG", request, `/api/vinyls/${encodeURIComponent(id)}`);
  if (!res?.ok) return apiFailure(res);
  return { ok: true, vinyl: (await res.json()) as Vinyl };
}

/** `POST /api/vinyls`, or `PUT /api/vinyls/:id` when `id` is given. */
export async function saveVinyl(request: Request, id: string | null, input: VinylInput): Promise<Result<{ vinyl: Vinyl }>> {
  const res = id
    ? await callApi("CATALOG", request, `/api/vinyls/${encodeURIComponent(id)}`, { method: "PUT", json: input })
    : await callApi("CATALOG", request, "/api/vinyls", { method: "POST", json: input });
  if (!res?.ok) return apiFailure(res, VINYL_FIELDS);
  return { ok: true, vinyl: (await res.json()) as Vinyl };
}

/** `DELETE /api/vinyls/:id`: the record becomes `withdrawn`. */
export async function withdrawVinyl(request: Request, id: string): Promise<Result<object>> {
  const res = await callApi("CATALOG", request, `/api/vinyls/${encodeURIComponent(id)}`, { method: "DELETE" });
  if (!res?.ok) return apiFailure(res);
  await res.body?.cancel();
  return { ok: true };
}

/** `POST /api/vinyls/images` with the photo's raw bytes; the API decides the type from them. */
export async function uploadImage(request: Request, file: File): Promise<Result<{ imageUrl: string }>> {
  const res = await callApi("CATALOG", request, "/api/vinyls/images", {
    method: "POST",
    body: await file.arrayBuffer(),
    contentType: file.type || "application/octet-stream",
  });
  if (!res?.ok) return apiFailure(res);
  const { imageUrl } = (await res.json()) as { imageUrl: string };
  return { ok: true, imageUrl };
}
