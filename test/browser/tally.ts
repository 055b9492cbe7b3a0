import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** What one test file's journeys checked; summed over the run and printed at its end. */
export type Tally = {
  journeys: number;
  pages: number;
  a11yChecks: number;
  focusStops: number;
  namedControls: number;
  screenshots: number;
  /** Error responses a journey provoked on purpose (a declined card's 402), allowed by name. */
  expectedErrors: number;
  /** Console errors, page errors and failed requests nobody expected: any fails its test. */
  consoleErrors: number;
};

export const emptyTally = (): Tally => ({
  journeys: 0,
  pages: 0,
  a11yChecks: 0,
  focusStops: 0,
  namedControls: 0,
  screenshots: 0,
  expectedErrors: 0,
  consoleErrors: 0,
});

/** This test file's counts (each file runs in a module scope of its own). */
export const tally = emptyTally();

export function saveTally(dir: string, file: string) {
  writeFileSync(join(dir, `${file.replace(/\W+/g, "-")}.json`), JSON.stringify(tally));
}

export function sumTallies(tallies: Tally[]): Tally {
  const total = emptyTally();
  for (const t of tallies) for (const key of Object.keys(total) as (keyof Tally)[]) total[key] += t[key];
  return total;
}

export function formatTally(t: Tally): string {
  return [
    "browser journeys",
    `  journeys completed      ${t.journeys}`,
    `  pages checked           ${t.pages}`,
    `  a11y checks             ${t.a11yChecks} (${t.namedControls} named controls, ${t.focusStops} focus stops)`,
    `  screenshots             ${t.screenshots}`,
    `  expected error answers  ${t.expectedErrors}`,
    `  console errors          ${t.consoleErrors}`,
  ].join("\n");
}
