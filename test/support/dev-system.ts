import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/free-port.mjs";

const ROOT = new URL("../..", import.meta.url).pathname;

declare module "vitest" {
  export interface ProvidedContext {
    /** The public origin of the system under test, e.g. `http://localhost:41234`. */
    baseUrl: string;
  }
}

export type DevSystemOptions = {
  /** How long a reservation lasts (`HOLD_SECONDS`). */
  holdSeconds: number;
  /** The public origin's port; any free one unless given. */
  port?: number;
  /** A state folder to run on (a restart on the same state); a new one, removed on stop, unless given. */
  state?: string;
  /** Seconds between cron runs (`CRON_EVERY_SECONDS`); on their schedule unless given. */
  cronEverySeconds?: number;
  /** More settings for the run, as `npm run dev` reads them from the environment. */
  settings?: Record<string, string>;
};

export type DevSystem = {
  baseUrl: string;
  port: number;
  /** The state folder: the local databases, bucket and Durable Objects. */
  state: string;
  /** What the system printed so far (warnings and errors at LOG_LEVEL=warn). */
  output: () => string;
  /** Stops the whole process group; removes the state folder unless it was given. */
  stop: () => Promise<void>;
  /** Kills the whole process group at once (SIGKILL), as a crash would, and keeps the state. */
  kill: () => Promise<void>;
};

async function waitForHealth(url: string, child: { exitCode: number | null }, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited with ${child.exitCode}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`system not healthy within ${timeoutMs} ms`);
}

/**
 * Starts every Worker and the storefront with `scripts/dev.mjs` (what `npm run dev` runs)
 * with an empty catalog and a throwaway state folder, detached in a process group of its
 * own so that stopping it stops wrangler and workerd too.
 */
export async function startDevSystem({ holdSeconds, port, state: given, cronEverySeconds, settings }: DevSystemOptions): Promise<DevSystem> {
  if (!existsSync(join(ROOT, "site/dist/server/wrangler.json"))) {
    throw new Error("The storefront is not built: run `npm run build` (npm test does) first.");
  }
  const chosen = port ?? (await freePort());
  const inspectorPort = await freePort();
  const state = given ?? mkdtempSync(join(tmpdir(), "oscillation-system-"));
  const removeState = () => {
    if (!given) rmSync(state, { recursive: true, force: true });
  };
  const child = spawn(process.execPath, ["scripts/dev.mjs", "--no-build"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(chosen),
      INSPECTOR_PORT: String(inspectorPort),
      PERSIST_TO: state,
      HOLD_SECONDS: String(holdSeconds),
      LOG_LEVEL: "warn",
      SEED: "0",
      ...(cronEverySeconds ? { CRON_EVERY_SECONDS: String(cronEverySeconds) } : {}),
      ...settings,
    },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));

  const baseUrl = `http://localhost:${chosen}`;
  try {
    // Migrating six local databases, one wrangler process each, then starting every Worker:
    // under half a minute on an idle machine, a few minutes on a busy one.
    await waitForHealth(`${baseUrl}/api/health`, child, 240_000);
  } catch (error) {
    // The group may be gone already (the system exited on its own): the error says why.
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {}
    removeState();
    throw new Error(`${(error as Error).message}\n--- dev output ---\n${output.slice(-4000)}`);
  }

  const exited = new Promise((resolve) => child.once("exit", resolve));
  const groupGone = async () => {
    // The group outlives its leader for a moment; wait until no member is left.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      try {
        process.kill(-child.pid!, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    baseUrl,
    port: chosen,
    state,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(-child.pid!, "SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
      }
      await groupGone();
      removeState();
    },
    async kill() {
      process.kill(-child.pid!, "SIGKILL");
      await exited;
      await groupGone();
    },
  };
}
