import { photoUrl, type PhotoWidth } from "../../../schema/photo-sizes";

/**
 * How large a record photo is drawn in each place, and the sizes offered for it. A browser
 * picks from `srcset` by the slot `sizes` describes and its pixel density; AVIF first, WebP
 * for the few without it (one size: they are old browsers on old screens).
 */
const LAYOUTS = {
  // A grid card: half the screen on phones, a third on tablets, 264 CSS px at most.
  card: { widths: [320, 480, 640], fallback: 480, sizes: "(min-width: 1024px) 264px, (min-width: 640px) 33vw, 50vw" },
  // The large picture of a record or order page: the screen's width on phones, 484 CSS px at most.
  page: { widths: [480, 640, 960], fallback: 960, sizes: "(min-width: 1152px) 484px, (min-width: 768px) 42vw, 100vw" },
  // A thumbnail in a list, 64 to 80 CSS px.
  thumb: { widths: [320], fallback: 320, sizes: "80px" },
} as const satisfies Record<string, { widths: readonly PhotoWidth[]; fallback: PhotoWidth; sizes: string }>;

export type PhotoLayout = keyof typeof LAYOUTS;

/** The `<picture>` sources of the photo at `imageUrl` (an original, `/images/<key>`) drawn as `layout`. */
export function photoSources(imageUrl: string, layout: PhotoLayout) {
  const { widths, fallback, sizes } = LAYOUTS[layout];
  return {
    avifSrcset: widths.map((w) => `${photoUrl(imageUrl, w, "avif")} ${w}w`).join(", "),
    webpSrc: photoUrl(imageUrl, fallback, "webp"),
    sizes,
  };
}
