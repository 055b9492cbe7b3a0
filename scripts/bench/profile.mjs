// CPU profiles of Workers in the gating Miniflare while a load runs, through workerd's
// inspector (Chrome DevTools protocol): written as .cpuprofile files (open them in DevTools)
// and summarised as the functions that used the most CPU themselves.
import { writeFileSync } from "node:fs";
import { basename, join } from "node:path";

/** One DevTools protocol session over the inspector's WebSocket. */
async function session(url) {
  // Miniflare's inspector proxy refuses upgrades without an Origin of its own host.
  const socket = new WebSocket(url, { headers: { origin: new URL(url).origin.replace(/^ws/, "http") } });
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", () => reject(new Error(`cannot open ${url}`)), { once: true });
  });
  let id = 0;
  const pending = new Map();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data));
    if (message.id && pending.has(message.id)) {
      const { resolve, reject } = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) reject(new Error(message.error.message));
      else resolve(message.result);
    }
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        pending.set(++id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** The functions with the most self time in a profile, with their share of the sampled time. */
export function topFunctions(profile, count = 12) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  profile.samples.forEach((nodeId, i) => {
    const { callFrame } = byId.get(nodeId);
    const where = callFrame.url ? `${basename(callFrame.url)}:${callFrame.lineNumber + 1}` : "";
    const key = `${callFrame.functionName || "(anonymous)"} ${where}`.trim();
    const us = deltas[i] ?? 0;
    total += us;
    self.set(key, (self.get(key) ?? 0) + us);
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([fn, us]) => ({ fn, ms: Math.round(us / 100) / 10, share: total ? us / total : 0 }));
}

/**
 * Profiles the named Workers while `during()` runs. `inspector` is the origin of the
 * inspector Miniflare opened (`inspectorPort`); each proxied Worker is a target there.
 */
export async function profileWhile(inspector, workers, dir, label, during) {
  const targets = await fetch(`${inspector}/json`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.json());
  const sessions = [];
  for (const worker of workers) {
    // Miniflare's inspector proxy serves each Worker at ws://host/<worker name>.
    const target = targets.find((t) => t.webSocketDebuggerUrl?.endsWith(`/${worker}`));
    if (!target?.webSocketDebuggerUrl) continue;
    const s = await session(target.webSocketDebuggerUrl);
    await s.send("Profiler.enable");
    await s.send("Profiler.setSamplingInterval", { interval: 200 });
    await s.send("Profiler.start");
    sessions.push({ worker, s });
  }
  const result = await during();
  const summaries = {};
  for (const { worker, s } of sessions) {
    const { profile } = await s.send("Profiler.stop");
    s.close();
    const file = join(dir, `${label}-${worker}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    summaries[worker] = { file, top: topFunctions(profile) };
  }
  return { result, summaries };
}
