/**
 * The seeded pseudo-random source every fuzz suite uses (test/abuse and the Workers'
 * `*-fuzz.test.ts`), so a run is repeated exactly by its seed. Free of Node and Workers
 * imports: it runs in both.
 *
 * @example
 * const random = seeded(0x5eed);
 * random.shuffle([1, 2, 3]); // the same order for the same seed, every time
 */
export type Random = ReturnType<typeof seeded>;

/** mulberry32: small, fast, and plenty for choosing test inputs (not for secrets). */
export function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number) => Math.floor(next() * below);
  return {
    /** A float in [0, 1). */
    next,
    /** An integer in [0, below). */
    int,
    /** An integer in [min, max]. */
    between: (min: number, max: number) => min + int(max - min + 1),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    /** A new array with `items` in a random order (Fisher–Yates). */
    shuffle<T>(items: readonly T[]): T[] {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
    /** `items` cut into consecutive pieces of 1 to `max` items each, order kept. */
    chunks<T>(items: readonly T[], max: number): T[][] {
      const out: T[][] = [];
      for (let i = 0; i < items.length; ) {
        const size = 1 + int(max);
        out.push(items.slice(i, i + size));
        i += size;
      }
      return out;
    },
  };
}

/** A seed printed in hex, as the suites print and take it. */
export const showSeed = (seed: number) => `0x${(seed >>> 0).toString(16)}`;
