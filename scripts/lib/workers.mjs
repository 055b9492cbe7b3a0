import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Service Workers in deploy order (the storefront binds to all of them, so it goes last). */
export const SERVICES = [
  { name: "auth", database: "oscillation-auth" },
  { name: "catalog", database: "oscillation-catalog" },
  { name: "orders", database: "oscillation-orders" },
  { name: "expiration" },
  { name: "payments", database: "oscillation-payments" },
  { name: "notifications", database: "oscillation-notifications" },
];

/** Runs only in development and tests; never deployed. */
export const DEV_ONLY = [
  { name: "stripe-sandbox", database: "oscillation-stripe-sandbox" },
  // Runs the other Workers' crons on their schedule (scripts/dev-cron.mjs).
  { name: "dev-cron" },
];

export const workerConfig = (name) => join(ROOT, "workers", name, "wrangler.toml");

/** The storefront's deployable config, written by `astro build` from the root wrangler.toml. */
export const STOREFRONT_BUILT_CONFIG = join(ROOT, "site", "dist", "server", "wrangler.json");

/** Runs a command with the project's Node 22 tools first on PATH; rejects on a non-zero exit. */
export function run(cmd, args, { env, ...opts } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: "inherit", ...opts, env: toolEnv(env) });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited with ${signal ?? code}`)),
    );
  });
}

export function toolEnv(extra = {}) {
  const bin = join(ROOT, "node_modules", ".bin");
  return { ...process.env, ...extra, PATH: `${bin}:${process.env.PATH}`, ASTRO_TELEMETRY_DISABLED: "1" };
}

/** KEY=VALUE lines, `#` comments ignored. */
export function readDotenv(path) {
  if (!existsSync(path)) return {};
  const out = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, "$2");
  }
  return out;
}

/**
 * Settings for local runs: `.dev.vars.example` defaults, overridden by a developer's
 * `.dev.vars`, overridden by the environment (`HOLD_SECONDS=5 npm run dev`). Every Worker
 * declares `[secrets]`, which makes wrangler read its vars and secrets from process.env.
 */
export function localSettings() {
  return {
    ...readDotenv(join(ROOT, ".dev.vars.example")),
    ...readDotenv(join(ROOT, ".dev.vars")),
    ...Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)),
  };
}
