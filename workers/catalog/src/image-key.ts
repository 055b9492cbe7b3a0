import { IMAGE_TYPES, type ImageType } from "./image-type";

/** Largest photo accepted, in bytes. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/**
 * Photos are stored content-addressed: `<sha256 hex>.<ext>`. The same bytes always get the
 * same key, so a re-upload stores nothing new and the bytes behind a key never change,
 * which is what lets them be cached forever.
 */
const KEY = /^([0-9a-f]{64})\.(jpg|png|webp|avif)$/;
const URL_PREFIX = "/images/";

export async function imageKey(bytes: Uint8Array, type: ImageType) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  return { key: `${hex}.${type.ext}`, sha256: hex };
}

/** The hash and type a well-formed key names, or null for anything else (`..`, slashes, other names). */
export function parseImageKey(key: string) {
  const match = KEY.exec(key);
  if (!match) return null;
  return { sha256: match[1]!, type: IMAGE_TYPES[match[2] as keyof typeof IMAGE_TYPES] };
}

export const imageUrlFor = (key: string) => `${URL_PREFIX}${key}`;

/** The key an `imageUrl` of this shop points at, or null when it is not one. */
export function keyFromImageUrl(url: string): string | null {
  if (!url.startsWith(URL_PREFIX)) return null;
  const key = url.slice(URL_PREFIX.length);
  return parseImageKey(key) ? key : null;
}
