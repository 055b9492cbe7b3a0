import { COVER_SIZE, coverArt, type Shape } from "./cover-art";

/**
 * The version of the drawing (cover-art.ts and this file), in every cover's URL. Covers are
 * cached for a year as immutable, so any change to the bytes a title and artist give needs
 * a new version; test/system/covers.test.ts pins those bytes to this number.
 */
export const COVER_VERSION = 1;

/** Where the storefront serves covers (src/edge/covers.ts). */
export const COVERS_PATH = "/covers";

/** The URL of the generated cover of `title` by `artist`: always the same for the same record. */
export function coverUrl(title: string, artist: string | null): string {
  const query = new URLSearchParams({ title });
  if (artist) query.set("artist", artist);
  return `${COVERS_PATH}/${COVER_VERSION}.svg?${query}`;
}

// A standalone SVG is XML: markup characters are escaped, and the controls XML 1.0 does not
// allow at all (and U+FFFE, U+FFFF) would make the whole file unreadable, so they are drawn
// as U+FFFD, as a lone surrogate is when the text is encoded.
const TEXT_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&quot;" };
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const text = (value: string) => value.replace(/[&<>'"]/g, (c) => TEXT_ENTITIES[c]!).replace(NOT_XML, "\uFFFD");

/** `x` with at most `digits` decimals and nothing SVG does not need: 14.0 → "14", 0.80 → ".8". */
function num(x: number, digits = 1): string {
  const fixed = x.toFixed(digits);
  const trimmed = fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
  return trimmed.replace(/^(-?)0\.(?=\d)/, "$1.");
}

/** The fill most shapes share, set once on their group and inherited. */
function commonFill(shapes: readonly Shape[]): string {
  const counts = new Map<string, number>();
  let best = "none";
  let most = 0;
  for (const { fill } of shapes) {
    const count = (counts.get(fill) ?? 0) + 1;
    counts.set(fill, count);
    if (count > most) [best, most] = [fill, count];
  }
  return best;
}

function shape(s: Shape, groupFill: string): string {
  const fill = s.fill === groupFill ? "" : ` fill="${s.fill}"`;
  const opacity = s.opacity === 1 ? "" : ` opacity="${num(s.opacity, 2)}"`;
  if (s.kind === "circle") {
    const stroke = s.stroke === "none" ? "" : ` stroke="${s.stroke}" stroke-width="${num(s.strokeWidth)}"`;
    return `<circle cx="${num(s.cx)}" cy="${num(s.cy)}" r="${num(s.r)}"${fill}${stroke}${opacity}/>`;
  }
  const transform = s.rotate ? ` transform="rotate(${s.rotate} 150 150)"` : "";
  return `<rect x="${num(s.x)}" y="${num(s.y)}" width="${num(s.w)}" height="${num(s.h)}"${fill}${opacity}${transform}/>`;
}

// A dot-field cover has over a hundred shapes, so the markup says each thing once: a fill
// most shapes share sits on their group, defaults are left out, and numbers are short.
function draw(title: string, artist: string | null): string {
  const art = coverArt(title, artist);
  const lineHeight = art.titleSize * 1.1;
  const band = 22 + art.titleLines.length * lineHeight + (art.artist ? 28 : 0) + 8;
  const bandTop = COVER_SIZE - band;
  const groupFill = commonFill(art.shapes);
  let svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${COVER_SIZE}" height="${COVER_SIZE}" viewBox="0 0 ${COVER_SIZE} ${COVER_SIZE}">` +
    `<rect width="${COVER_SIZE}" height="${COVER_SIZE}" fill="${art.background}"/><g fill="${groupFill}">`;
  for (const s of art.shapes) svg += shape(s, groupFill);
  svg +=
    `</g><rect y="${num(bandTop)}" width="${COVER_SIZE}" height="${num(band)}" fill="#0b0907" opacity=".72"/>` +
    `<text fill="#f6efe3" font-family="ui-serif, Georgia, 'Times New Roman', serif" font-weight="700" font-size="${art.titleSize}">`;
  art.titleLines.forEach((line, i) => {
    svg += `<tspan x="18" y="${num(bandTop + 14 + art.titleSize * 0.9 + i * lineHeight)}">${text(line)}</tspan>`;
  });
  svg += "</text>";
  if (art.artist) {
    svg +=
      `<text x="18" y="${COVER_SIZE - 18}" fill="#e9dcc6" font-family="ui-sans-serif, system-ui, sans-serif"` +
      ` font-size="17" letter-spacing="0.5">${text(art.artist)}</text>`;
  }
  return `${svg}</svg>`;
}

// Drawing a dot-field cover writes over a hundred shapes, and a browse page asks for two
// dozen covers at once. A cover depends only on its title and artist, so the most recently
// drawn are kept, least recently used dropped first.
const KEPT = 256;
const drawn = new Map<string, string>();

/** The generated cover of `title` by `artist` as an SVG document, its text escaped. */
export function coverSvg(title: string, artist: string | null): string {
  const key = `${title}\u0000${artist ?? ""}`;
  let svg = drawn.get(key);
  if (svg === undefined) {
    svg = draw(title, artist);
    if (drawn.size >= KEPT) drawn.delete(drawn.keys().next().value!);
  } else {
    drawn.delete(key);
  }
  drawn.set(key, svg);
  return svg;
}
