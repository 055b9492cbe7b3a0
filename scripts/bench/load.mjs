#!/usr/bin/env node
// The load generator's own process: runs one autocannon load described by the JSON file
// named in argv[2] and prints one JSON line with the results. A separate process, so the
// generator never shares an event loop with the harness that started the system.
//
// Spec: { origin, connections, duration, method?, headers?, path, body?, values?, distinct?,
//         ceiling?: { path }, slice? } or, for a record drop, { origin, duration, drops }
// With `values`, each request takes the next value in turn, replacing `{value}` in `path`
// and `body`, and starts over at the end; a value may be `{ value, cookie }`, sent as that
// buyer. With `distinct`, no value is used twice and the load ends early when they run out.
// With `ceiling`, the load alternates with the ceiling in slices (`slice` seconds of the
// scenario, a quarter of that of the ceiling), so both see the same machine even when other
// work on it comes and goes. With `drops`, scripts/bench/drop.mjs runs the drops instead.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { runDrops } from "./drop.mjs";
import { addTiming, emptyTiming } from "./server-timing.mjs";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
if (spec.drops) {
  process.stdout.write(`${JSON.stringify(await runDrops(spec))}\n`);
  process.exit(0);
}
const values = spec.values ?? null;
let next = 0;
const timing = emptyTiming();
const cache = {};
const latencies = [];
const statuses = {};
const totals = { requests: 0, seconds: 0, errors: 0, timeouts: 0, non2xx: 0 };
const ceiling = { requests: 0, seconds: 0 };

const scenario = {
  method: spec.method ?? "GET",
  path: spec.path,
  headers: spec.headers ?? {},
  ...(spec.body ? { body: spec.body } : {}),
  ...(values && {
    setupRequest: (req) => {
      const item = values[next++ % values.length];
      const value = typeof item === "object" ? item.value : item;
      return {
        ...req,
        path: spec.path.replace("{value}", value),
        ...(spec.body ? { body: spec.body.replace("{value}", value) } : {}),
        ...(typeof item === "object" && item.cookie ? { headers: { ...req.headers, cookie: item.cookie } } : {}),
      };
    },
  }),
  onResponse: (status, _body, _context, rawHeaders) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    // Names arrive as the server cased them; a repeated header arrives as a list.
    const headers = {};
    for (const [name, value] of Object.entries(rawHeaders ?? {})) headers[name.toLowerCase()] = [value].flat().join(", ");
    addTiming(timing, headers["server-timing"]);
    const state = headers["x-cache"]?.toUpperCase() ?? "none";
    cache[state] = (cache[state] ?? 0) + 1;
  },
};

/** One autocannon run of `seconds`, or of `amount` requests stopped at `seconds`. */
async function run(request, seconds, { amount, onLatency } = {}) {
  const instance = autocannon({
    url: spec.origin,
    connections: spec.connections,
    duration: seconds,
    ...(amount !== undefined && { amount }),
    requests: [request],
  });
  if (onLatency) instance.on("response", (_client, _status, _bytes, ms) => onLatency(ms));
  const stop = amount !== undefined ? setTimeout(() => instance.stop(), seconds * 1000) : null;
  const result = await instance;
  if (stop) clearTimeout(stop);
  return result;
}

const slice = spec.ceiling ? (spec.slice ?? 2) : spec.duration;
while (totals.seconds < spec.duration - 0.05) {
  const remaining = values && spec.distinct ? values.length - next : undefined;
  if (remaining !== undefined && remaining <= 0) break;
  const result = await run(scenario, Math.min(slice, spec.duration - totals.seconds), { amount: remaining, onLatency: (ms) => latencies.push(ms) });
  totals.requests += result.requests.total;
  totals.seconds += result.duration;
  totals.errors += result.errors;
  totals.timeouts += result.timeouts;
  totals.non2xx += result.non2xx;
  if (spec.ceiling) {
    const base = await run({ method: "GET", path: spec.ceiling.path }, slice / 4);
    ceiling.requests += base.requests.total;
    ceiling.seconds += base.duration;
  }
  if (result.duration < 0.05) break;
}

latencies.sort((a, b) => a - b);
const percentile = (p) =>
  latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 10) / 10 : null;

process.stdout.write(
  `${JSON.stringify({
    requests: totals.requests,
    seconds: totals.seconds,
    rps: totals.seconds ? totals.requests / totals.seconds : 0,
    p50: percentile(50),
    p99: percentile(99),
    errors: totals.errors,
    timeouts: totals.timeouts,
    non2xx: totals.non2xx,
    statuses,
    ...(spec.ceiling && { ceilingRps: ceiling.seconds ? ceiling.requests / ceiling.seconds : null }),
    timing,
    cache,
  })}\n`,
);
