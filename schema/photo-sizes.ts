/**
 * The sizes a record photo is served in, besides its original: `/images/<key>/<width>.<format>`,
 * where `<key>` is the original's (`<sha256>.<ext>`). Catalog makes each on first request and
 * keeps it; the storefront names them in `srcset`. Only these are made, so nobody can make the
 * shop encode arbitrary sizes.
 *
 * Widths cover a grid card (264 CSS px at most: 320 at 1×, 640 at 2×, 480 for phones) and a
 * record page (480 CSS px at most: 960 at 2×). None is over 1,200 px, the largest AVIF
 * Cloudflare Images writes.
 */
export const PHOTO_WIDTHS = [320, 480, 640, 960] as const;
export type PhotoWidth = (typeof PHOTO_WIDTHS)[number];

/** Formats, best first: AVIF where the browser takes it, else WebP (every current browser). */
export const PHOTO_FORMATS = { avif: "image/avif", webp: "image/webp" } as const;
export type PhotoFormat = keyof typeof PHOTO_FORMATS;

/** The URL of `imageUrl` (an original, `/images/<key>`) at `width` in `format`. */
export const photoUrl = (imageUrl: string, width: PhotoWidth, format: PhotoFormat) => `${imageUrl}/${width}.${format}`;
