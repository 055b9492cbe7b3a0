// A record drop: R records go on sale and B buyers each try to order every one of them at
// the same moment (R × B `POST /api/orders` sent at once, one connection per buyer, as
// browsers would). Drops run back to back, each on fresh records and fresh buyers, until the
// load's time is used. Reports attempts per second over the drops' wall time, latency from
// the moment everyone clicked, and the winners of each drop (exactly R when nothing sells twice).
import http from "node:http";
import { addTiming, emptyTiming } from "./server-timing.mjs";

/** One attempt: buyer `cookie` orders `vinylId`; answers its status, latency and Server-Timing. */
function attempt(agent, origin, cookie, vinylId) {
  const body = JSON.stringify({ vinylId });
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: origin.hostname,
        port: origin.port,
        method: "POST",
        path: "/api/orders",
        agent,
        headers: { cookie, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, timing: res.headers["server-timing"] }));
      },
    );
    req.on("error", () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

/**
 * Runs drops for `spec.duration` seconds (at least one). `spec.drops` lists each drop's
 * records and buyers' cookies; a drop never reuses either.
 */
export async function runDrops(spec) {
  const origin = new URL(spec.origin);
  const latencies = [];
  const statuses = {};
  const timing = emptyTiming();
  const rounds = [];
  let seconds = 0;
  for (const drop of spec.drops) {
    if (rounds.length > 0 && seconds >= spec.duration) break;
    // One connection per buyer, opened when the drop starts, as each shopper's browser would.
    const agents = drop.cookies.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    const started = performance.now();
    const answers = await Promise.all(
      drop.cookies.flatMap((cookie, b) =>
        // Each buyer goes through the records in a different order, as people click what they see first.
        drop.records.map((_, r) => attempt(agents[b], origin, cookie, drop.records[(r + b) % drop.records.length])),
      ),
    );
    const wall = (performance.now() - started) / 1000;
    for (const a of agents) a.destroy();
    seconds += wall;
    for (const a of answers) {
      latencies.push(a.ms);
      statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      addTiming(timing, a.timing);
    }
    rounds.push({ seconds: wall, attempts: answers.length, winners: answers.filter((a) => a.status === 201).length });
  }
  latencies.sort((a, b) => a - b);
  const percentile = (p) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 10) / 10 : null);
  const requests = latencies.length;
  const non2xx = requests - (statuses[200] ?? 0) - (statuses[201] ?? 0);
  return {
    requests,
    seconds,
    rps: seconds ? requests / seconds : 0,
    p50: percentile(50),
    p99: percentile(99),
    errors: statuses[0] ?? 0,
    timeouts: 0,
    non2xx,
    statuses,
    timing,
    cache: {},
    drop: { records: spec.drops[0]?.records.length ?? 0, buyers: spec.drops[0]?.cookies.length ?? 0, rounds },
  };
}
