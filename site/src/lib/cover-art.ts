/**
 * Artwork for records without a photo: everything is derived from the title and artist, so
 * a record always gets the same cover, on every page and every server.
 */

/** FNV-1a, 32 bits: small, fast and well spread for short strings. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic stream of numbers in [0, 1) from `seed` (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Shape =
  | { kind: "circle"; cx: number; cy: number; r: number; fill: string; stroke: string; strokeWidth: number; opacity: number }
  | { kind: "rect"; x: number; y: number; w: number; h: number; fill: string; opacity: number; rotate: number };

export type CoverArt = {
  background: string;
  shapes: Shape[];
  titleLines: string[];
  titleSize: number;
  artist: string;
};

const SIZE = 300;
export const COVER_SIZE = SIZE;

const hsl = (h: number, s: number, l: number) => `hsl(${Math.round(h) % 360} ${s}% ${l}%)`;

/** Splits `text` into at most `maxLines` lines of about `width` characters, with "…" when cut. */
export function wrap(text: string, width: number, maxLines: number): string[] {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    const piece = word.length > width ? `${word.slice(0, width - 1)}…` : word;
    if (!line) line = piece;
    else if (line.length + 1 + piece.length <= width) line += ` ${piece}`;
    else {
      lines.push(line);
      line = piece;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = kept[maxLines - 1]!;
  kept[maxLines - 1] = `${last.length >= width ? last.slice(0, width - 1) : last}…`;
  return kept;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The cover of `title` by `artist`: colours, one of four patterns, and the words to print. */
export function coverArt(title: string, artist: string | null): CoverArt {
  const seed = hash(`${title}\u0000${artist ?? ""}`);
  const rnd = random(seed);
  const hue = seed % 360;
  const accentHue = hue + 60 + rnd() * 180;
  const background = hsl(hue, 40 + Math.floor(rnd() * 25), 18 + Math.floor(rnd() * 10));
  const accent = (l: number) => hsl(accentHue, 65 + Math.floor(rnd() * 25), l);
  const second = (l: number) => hsl(hue + 20, 55, l);
  const shapes: Shape[] = [];

  switch ((seed >>> 9) % 4) {
    case 0: {
      // A record: concentric grooves around an off-centre label.
      const cx = 150 + (rnd() - 0.5) * 120;
      const cy = 110 + (rnd() - 0.5) * 60;
      for (let r = 150; r > 30; r -= 14 + Math.floor(rnd() * 10)) {
        shapes.push({ kind: "circle", cx, cy, r, fill: "none", stroke: accent(55), strokeWidth: 1.5 + rnd() * 3, opacity: 0.35 + rnd() * 0.4 });
      }
      shapes.push({ kind: "circle", cx, cy, r: 28, fill: accent(62), stroke: "none", strokeWidth: 0, opacity: 0.95 });
      shapes.push({ kind: "circle", cx, cy, r: 4, fill: background, stroke: "none", strokeWidth: 0, opacity: 1 });
      break;
    }
    case 1: {
      // Bold stripes at one angle.
      const angle = -60 + Math.floor(rnd() * 120);
      const band = 18 + Math.floor(rnd() * 24);
      for (let x = -SIZE; x < SIZE * 2; x += band * 2) {
        shapes.push({ kind: "rect", x, y: -SIZE, w: band, h: SIZE * 3, fill: rnd() < 0.25 ? second(45) : accent(55), opacity: 0.55 + rnd() * 0.35, rotate: angle });
      }
      break;
    }
    case 2: {
      // A field of dots that grow towards one corner.
      const step = 26 + Math.floor(rnd() * 10);
      for (let y = step / 2; y < SIZE; y += step) {
        for (let x = step / 2; x < SIZE; x += step) {
          const r = (step / 2.4) * ((x + (SIZE - y)) / (SIZE * 2)) + 1;
          shapes.push({ kind: "circle", cx: x, cy: y, r, fill: rnd() < 0.15 ? second(60) : accent(58), stroke: "none", strokeWidth: 0, opacity: 0.8 });
        }
      }
      break;
    }
    default: {
      // Overlapping translucent blocks, Blue Note style.
      const count = 4 + Math.floor(rnd() * 4);
      for (let i = 0; i < count; i++) {
        shapes.push({
          kind: "rect",
          x: rnd() * 220 - 20,
          y: rnd() * 160 - 20,
          w: 60 + rnd() * 160,
          h: 40 + rnd() * 140,
          fill: i % 3 === 2 ? second(50) : accent(45 + rnd() * 25),
          opacity: 0.45 + rnd() * 0.45,
          rotate: 0,
        });
      }
    }
  }

  // About 12 units a character at 32px and 9 at 24px, in the 264 units between the margins.
  const large = wrap(title, 15, Infinity);
  const fitsLarge = large.length <= 2;
  return {
    background,
    shapes,
    titleLines: fitsLarge ? large : wrap(title, 21, 3),
    titleSize: fitsLarge ? 32 : 24,
    artist: clip((artist ?? "").trim(), 26),
  };
}

/** A colour pair for a small tile named `name` (the genre shelves). */
export function tileColours(name: string): { background: string; accent: string } {
  const seed = hash(name);
  const hue = seed % 360;
  return { background: hsl(hue, 45, 22), accent: hsl(hue + 150, 70, 62) };
}
