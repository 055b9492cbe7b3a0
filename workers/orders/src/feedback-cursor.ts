import { z } from "zod";

/**
 * Where a page of a seller's feedback stopped: the last entry's time and its order's id (the
 * tie-breaker). Keyset paging stays exact while new feedback arrives between pages.
 */
export type FeedbackCursor = { createdAt: string; orderId: string };

const shape = z.object({ t: z.iso.datetime(), o: z.uuid() }).strict();

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** An opaque token for the page after `cursor`: base64url of a small JSON object. */
export function encodeFeedbackCursor(cursor: FeedbackCursor): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify({ t: cursor.createdAt, o: cursor.orderId })));
}

/** The cursor a token stands for, or null for anything this service did not issue. */
export function decodeFeedbackCursor(token: string): FeedbackCursor | null {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(token)) return null;
  try {
    const base64 = token.replace(/-/g, "+").replace(/_/g, "/");
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0)));
    const parsed = shape.safeParse(JSON.parse(text));
    return parsed.success ? { createdAt: parsed.data.t, orderId: parsed.data.o } : null;
  } catch {
    return null;
  }
}
