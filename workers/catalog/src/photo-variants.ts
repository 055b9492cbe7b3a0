import { PHOTO_FORMATS, PHOTO_WIDTHS, type PhotoFormat, type PhotoWidth } from "../../../schema/photo-sizes";
import { log } from "../../shared/src/log";

export type PhotoSize = { width: PhotoWidth; format: PhotoFormat; contentType: string };

const VARIANT = /^([1-9]\d{2,3})\.(avif|webp)$/;

/** The size a variant's name (`640.avif`) asks for, or null for one the shop does not make. */
export function parseVariant(name: string): PhotoSize | null {
  const match = VARIANT.exec(name);
  if (!match) return null;
  const width = Number(match[1]) as PhotoWidth;
  if (!PHOTO_WIDTHS.includes(width)) return null;
  const format = match[2] as PhotoFormat;
  return { width, format, contentType: PHOTO_FORMATS[format] };
}

/** Where a made size is kept in the bucket: beside its original, under the original's key. */
export const variantKey = (originalKey: string, size: PhotoSize) => `${originalKey}/${size.width}.${size.format}`;

/**
 * Encoder quality on Cloudflare. Locally wrangler's stand-in (sharp) ignores it and uses its
 * own defaults, AVIF 50 and WebP 80, which these match in spirit: small grid images whose
 * loss a shopper does not see at their size.
 */
const QUALITY: Record<PhotoFormat, number> = { avif: 50, webp: 75 };

/**
 * `original` at `size`: scaled down to the width (never up), in the size's format. Null when
 * the Images binding cannot make it: the original is not an image it reads (an upload is
 * checked by its first bytes only), is over its limits (100 megapixels, 12,000 px a side), or
 * the service failed.
 */
export async function makeVariant(
  images: ImagesBinding,
  original: ReadableStream<Uint8Array>,
  size: PhotoSize,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; contentType: string } | null> {
  try {
    const result = await images
      .input(original)
      .transform({ width: size.width, fit: "scale-down" })
      .output({ format: size.contentType as ImageOutputOptions["format"], quality: QUALITY[size.format] });
    // Cloudflare may answer in another format than asked (its best effort): the type says which.
    return { bytes: new Uint8Array(await new Response(result.image()).arrayBuffer()), contentType: result.contentType() };
  } catch (error) {
    log.warn("photo size not made", { width: size.width, format: size.format, error: error instanceof Error ? error.message : String(error) });
    return null;
  }
}
