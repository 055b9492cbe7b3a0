// The developer's system: `scripts/dev.mjs --no-build` (what `npm run dev` runs) on its own
// port and state folder, with request logging off, in a process group of its own that is
// stopped as a whole.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../lib/workers.mjs";

async function waitUntilHealthy(url, child, timeoutMs, output) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited with ${child.exitCode}\n${output().slice(-3000)}`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`npm run dev was not healthy within ${timeoutMs / 1000} s\n${output().slice(-3000)}`);
}

export async function startDev({ port, persistTo }) {
  const child = spawn(process.execPath, [join(ROOT, "scripts", "dev.mjs"), "--no-build"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(port),
      PERSIST_TO: persistTo,
      SEED: "0",
      // Request logging off: the services' own request lines and wrangler's.
      LOG_LEVEL: "warn",
      WRANGLER_LOG: "warn",
    },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid, "SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
  };
  try {
    await waitUntilHealthy(`${origin}/api/health`, child, 180_000, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, stop };
}
