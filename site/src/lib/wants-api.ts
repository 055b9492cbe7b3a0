import type { GENRES, MEDIA_GRADES } from "../../../schema/vocabulary";
import { apiFailure, callApi, isId, unknownId, type Result } from "./api";

/** A saved search as `/api/wants` answers it. */
export type Want = {
  id: string;
  q: string | null;
  artist: string | null;
  genre: (typeof GENRES)[number] | null;
  condition: (typeof MEDIA_GRADES)[number] | null;
  maxPrice: number | null;
  createdAt: string;
};

/** The want form's inputs, as typed; also what "Save this search" posts from the browse page. */
export const WANT_FIELDS = ["q", "artist", "genre", "condition", "maxPrice"] as const;
export type WantValues = Record<(typeof WANT_FIELDS)[number], string>;

const DECIMAL = /^\d+(\.\d+)?$/;

/** The API body for the typed values: the price as a number when it looks like one, else as typed so the API names the problem. */
function toInput(values: WantValues) {
  const price = values.maxPrice.trim();
  return { ...values, maxPrice: DECIMAL.test(price) ? Number(price) : price };
}

/** `GET /api/wants`: the visitor's wantlist, newest first. */
export async function myWants(request: Request): Promise<Result<{ wants: Want[] }>> {
  const res = await callApi("NOTIFICATIONS", request, "/api/wants");
  if (!res?.ok) return apiFailure(res);
  return { ok: true, wants: (await res.json()) as Want[] };
}

/** `POST /api/wants`: saves a want (or answers the same one saved before). */
export async function saveWant(request: Request, values: WantValues): Promise<Result<{ want: Want }>> {
  const res = await callApi("NOTIFICATIONS", request, "/api/wants", { method: "POST", json: toInput(values) });
  if (!res?.ok) return apiFailure(res, WANT_FIELDS);
  return { ok: true, want: (await res.json()) as Want };
}

/** `DELETE /api/wants/:id`. */
export async function deleteWant(request: Request, id: string): Promise<Result<object>> {
  if (!isId(id)) return unknownId("Want not found");
  const res = await callApi("NOTIFICATIONS", request, `/api/wants/${encodeURIComponent(id)}`, { method: "DELETE" });
  if (!res?.ok) return apiFailure(res);
  return { ok: true };
}

const unsubscribePath = (token: string) => `/api/wants/unsubscribe?token=${encodeURIComponent(token)}`;

/** `GET /api/wants/unsubscribe`: the want an unsubscribe link names (`null` once deleted). */
export async function wantOfLink(request: Request, token: string): Promise<Result<{ want: Want | null }>> {
  const res = await callApi("NOTIFICATIONS", request, unsubscribePath(token));
  if (!res?.ok) return apiFailure(res);
  return { ok: true, ...((await res.json()) as { want: Want | null }) };
}

/** `POST /api/wants/unsubscribe`: deletes the want an unsubscribe link names. */
export async function unsubscribe(request: Request, token: string): Promise<Result<object>> {
  const res = await callApi("NOTIFICATIONS", request, unsubscribePath(token), { method: "POST" });
  if (!res?.ok) return apiFailure(res);
  return { ok: true };
}

/** A want in words: `“miles”, by Miles Davis, Jazz, VG+ or better, at most $40.00`. */
export function describeWant(want: Pick<Want, "q" | "artist" | "genre" | "condition" | "maxPrice">, names: { genre: (g: NonNullable<Want["genre"]>) => string; price: (p: number) => string }): string {
  const parts: string[] = [];
  if (want.q) parts.push(`“${want.q}”`);
  if (want.artist) parts.push(`by ${want.artist}`);
  if (want.genre) parts.push(names.genre(want.genre));
  if (want.condition) parts.push(`${want.condition} or better`);
  if (want.maxPrice !== null) parts.push(`at most ${names.price(want.maxPrice)}`);
  return parts.join(", ");
}
