#!/usr/bin/env node
// The load generator's own process: runs one autocannon load described by the JSON file
// named in argv[2] and prints one JSON line with the results. A separate process, so the
// generator never shares an event loop with the harness that started the system.
//
// Spec: { origin, connections, duration, method?, headers?, path, body?, values?, distinct? }
// With `values`, each request takes the next value in turn, replacing `{value}` in `path`
// and `body`, and starts over at the end; with `distinct`, no value is used twice and the
// load ends early when they run out.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { addTiming, emptyTiming } from "./server-timing.mjs";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const values = spec.values ?? null;
let next = 0;
const timing = emptyTiming();
const cache = {};

const request = {
  method: spec.method ?? "GET",
  path: spec.path,
  headers: spec.headers ?? {},
  ...(spec.body ? { body: spec.body } : {}),
  ...(values && {
    setupRequest: (req) => {
      const value = values[next++ % values.length];
      return {
        ...req,
        path: spec.path.replace("{value}", value),
        ...(spec.body ? { body: spec.body.replace("{value}", value) } : {}),
      };
    },
  }),
  onResponse: (_status, _body, _context, rawHeaders) => {
    // Names arrive as the server cased them; a repeated header arrives as a list.
    const headers = {};
    for (const [name, value] of Object.entries(rawHeaders ?? {})) headers[name.toLowerCase()] = [value].flat().join(", ");
    addTiming(timing, headers["server-timing"]);
    const state = headers["x-cache"]?.toUpperCase() ?? "none";
    cache[state] = (cache[state] ?? 0) + 1;
  },
};

const instance = autocannon({
  url: spec.origin,
  connections: spec.connections,
  duration: spec.duration,
  // Distinct values are a budget of requests: stop when they are spent, or at the duration.
  ...(values && spec.distinct && { amount: values.length }),
  requests: [request],
});
const stop = values && spec.distinct ? setTimeout(() => instance.stop(), spec.duration * 1000) : null;
const result = await instance;
if (stop) clearTimeout(stop);

process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    seconds: result.duration,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, Number(count)])),
    timing,
    cache,
  })}\n`,
);
