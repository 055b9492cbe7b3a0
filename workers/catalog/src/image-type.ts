/** The image formats a listing photo may be, recognised by their bytes, never by a declared type. */
export type ImageType = { ext: "jpg" | "png" | "webp" | "avif"; contentType: string };

export const IMAGE_TYPES = {
  jpg: { ext: "jpg", contentType: "image/jpeg" },
  png: { ext: "png", contentType: "image/png" },
  webp: { ext: "webp", contentType: "image/webp" },
  avif: { ext: "avif", contentType: "image/avif" },
} as const satisfies Record<string, ImageType>;

const ascii = (bytes: Uint8Array, start: number, length: number) =>
  String.fromCharCode(...bytes.subarray(start, start + length));

const startsWith = (bytes: Uint8Array, magic: readonly number[]) =>
  bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);

/**
 * AVIF is an ISO-BMFF file whose leading `ftyp` box names `avif` (still) or `avis`
 * (sequence) as its major brand or one of its compatible brands.
 */
function isAvif(bytes: Uint8Array) {
  if (bytes.length < 16 || ascii(bytes, 4, 4) !== "ftyp") return false;
  const boxSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  const end = Math.min(boxSize, bytes.length);
  if (boxSize < 16) return false;
  const brands = [ascii(bytes, 8, 4)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(bytes, at, 4));
  return brands.some((b) => b === "avif" || b === "avis");
}

/** The type `bytes` really are, or null when they are not a JPEG, PNG, WebP or AVIF. */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return IMAGE_TYPES.jpg;
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return IMAGE_TYPES.png;
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") return IMAGE_TYPES.webp;
  if (isAvif(bytes)) return IMAGE_TYPES.avif;
  return null;
}
