/** Small files of each kind, enough to be recognised by their first bytes. */

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...p].map((ch) => ch.charCodeAt(0)) : p)));

/** A real 1×1 PNG. */
export const PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
  (ch) => ch.charCodeAt(0),
);

export const JPEG = bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], "JFIF", [0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]);

export const WEBP = bytes("RIFF", [0x1a, 0x00, 0x00, 0x00], "WEBP", "VP8L", [0x0d, 0x00, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00]);

/** An ISO-BMFF `ftyp` box with the given brands, then a little payload. */
export const ftyp = (major: string, ...compatible: string[]) => {
  const size = 16 + 4 * compatible.length;
  return bytes([0, 0, 0, size], "ftyp", major, [0, 0, 0, 0], ...compatible, [0, 0, 0, 8], "mdat");
};

export const AVIF = ftyp("avif", "mif1", "miaf");
/** Major brand `mif1`, `avif` only among the compatible brands (as some encoders write it). */
export const AVIF_COMPATIBLE = ftyp("mif1", "miaf", "avif");
export const HEIC = ftyp("heic", "mif1", "heic");
export const GIF = bytes("GIF89a", [0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x3b]);
export const TEXT = new TextEncoder().encode("definitely not an image\n");

export const sha256Hex = async (data: Uint8Array) =>
  Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", data)), (b) => b.toString(16).padStart(2, "0")).join("");
