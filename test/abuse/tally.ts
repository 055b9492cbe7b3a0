import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Counts of requests sent and how they were answered, by file and for the whole run. */
export type Tally = { requests: number; byClass: Record<string, number>; byStatus: Record<string, number>; cases: number };

export const emptyTally = (): Tally => ({ requests: 0, byClass: {}, byStatus: {}, cases: 0 });

export function count(tally: Tally, status: number) {
  tally.requests++;
  const cls = status === 0 ? "no answer" : `${Math.floor(status / 100)}xx`;
  tally.byClass[cls] = (tally.byClass[cls] ?? 0) + 1;
  tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
}

export function mergeTallies(tallies: Tally[]): Tally {
  const out = emptyTally();
  for (const t of tallies) {
    out.requests += t.requests;
    out.cases += t.cases;
    for (const [k, v] of Object.entries(t.byClass)) out.byClass[k] = (out.byClass[k] ?? 0) + v;
    for (const [k, v] of Object.entries(t.byStatus)) out.byStatus[k] = (out.byStatus[k] ?? 0) + v;
  }
  return out;
}

/** One line a reader can quote: `abuse: 1234 requests (2xx 40, 4xx 1194, 5xx 0) — 400×700 …`. */
export function formatTally(label: string, t: Tally) {
  const classes = ["2xx", "3xx", "4xx", "5xx", "no answer"].filter((c) => c === "5xx" || t.byClass[c]).map((c) => `${c} ${t.byClass[c] ?? 0}`);
  const statuses = Object.entries(t.byStatus)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([s, n]) => `${s}×${n}`);
  return `${label}: ${t.requests} requests, ${t.cases} generated cases (${classes.join(", ")}) — ${statuses.join(" ")}`;
}

/** Leaves a file's counts where the global teardown sums them. */
export function saveTally(dir: string, file: string, t: Tally) {
  writeFileSync(join(dir, `${file}-${process.pid}.json`), JSON.stringify(t));
}
