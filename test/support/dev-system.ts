import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
};

export type DevSystem = {
  baseUrl: string;
  /** Stops the whole process group and removes its state folder. */
  stop: () => Promise<void>;
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

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
export async function startDevSystem({ holdSeconds, port }: DevSystemOptions): Promise<DevSystem> {
  if (!existsSync(join(ROOT, "site/dist/server/wrangler.json"))) {
    throw new Error("The storefront is not built: run `npm run build` (npm test does) first.");
  }
  const chosen = port ?? (await freePort());
  const state = mkdtempSync(join(tmpdir(), "oscillation-system-"));
  const child = spawn(process.execPath, ["scripts/dev.mjs", "--no-build"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(chosen),
      PERSIST_TO: state,
      HOLD_SECONDS: String(holdSeconds),
      LOG_LEVEL: "warn",
      SEED: "0",
    },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));

  const baseUrl = `http://localhost:${chosen}`;
  try {
    await waitForHealth(`${baseUrl}/api/health`, child, 90_000);
  } catch (error) {
    process.kill(-child.pid!, "SIGTERM");
    rmSync(state, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n--- dev output ---\n${output.slice(-4000)}`);
  }

  return {
    baseUrl,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid!, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
      rmSync(state, { recursive: true, force: true });
    },
  };
}
