#!/usr/bin/env node
// `npm run types`: regenerates every Worker's binding types from its wrangler config.
// With --check, fails when a generated file is stale instead of writing it.
import { join } from "node:path";
import { DEV_ONLY, ROOT, SERVICES, run, workerConfig } from "./lib/workers.mjs";

const check = process.argv.includes("--check");
// Runtime types come from @cloudflare/workers-types; vars are typed as plain strings so
// they can be overridden per environment.
const common = ["--include-runtime=false", "--strict-vars=false", ...(check ? ["--check"] : [])];

const targets = [
  { config: join(ROOT, "wrangler.toml"), out: join(ROOT, "site", "worker-configuration.d.ts") },
  ...[...SERVICES, ...DEV_ONLY].map(({ name }) => ({
    config: workerConfig(name),
    out: join(ROOT, "workers", name, "worker-configuration.d.ts"),
  })),
  // The shared library's test fixture, a Worker of its own.
  {
    config: join(ROOT, "workers", "shared", "test", "messaging", "fixture", "wrangler.toml"),
    out: join(ROOT, "workers", "shared", "test", "messaging", "fixture", "worker-configuration.d.ts"),
  },
];

for (const { config, out } of targets) {
  await run("wrangler", ["types", out, "-c", config, ...common], { stdio: ["ignore", "ignore", "inherit"] }).catch(() => {
    console.error(`Binding types are stale for ${config}: run \`npm run types\` and commit the result.`);
    process.exit(1);
  });
}
console.log(check ? "Binding types are up to date." : "Binding types regenerated.");
