#!/usr/bin/env node
// `npm run deploy`: applies remote D1 migrations, then deploys the service Workers before
// the storefront that binds to them. See docs/deploy.md for the one-time setup.
import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { experimental_readRawConfig as readRawConfig } from "wrangler";
import { DEV_ONLY, SERVICES, STOREFRONT_BUILT_CONFIG, run, workerConfig } from "./lib/workers.mjs";

const DEV_ONLY_SERVICES = new Set(DEV_ONLY.map(({ name }) => `oscillation-${name}`));

/**
 * Deploys `config` without its bindings to development-only Workers (the Stripe sandbox is
 * never deployed, and a binding to a missing Worker fails the deploy). The filtered copy is
 * written beside the original so relative paths keep their meaning.
 */
async function deploy(config) {
  const { rawConfig } = readRawConfig({ config });
  const services = rawConfig.services ?? [];
  const kept = services.filter((s) => !DEV_ONLY_SERVICES.has(s.service));
  if (kept.length === services.length) return run("wrangler", ["deploy", "-c", config]);
  const copy = join(dirname(config), "wrangler.deploy.json");
  writeFileSync(copy, JSON.stringify({ ...rawConfig, services: kept }, null, 2));
  try {
    await run("wrangler", ["deploy", "-c", copy]);
  } finally {
    rmSync(copy, { force: true });
  }
}

await run("astro", ["build", "--root", "site"]);
for (const { name, database } of SERVICES) {
  if (database) await run("wrangler", ["d1", "migrations", "apply", database, "--remote", "-c", workerConfig(name)]);
  await deploy(workerConfig(name));
}
await deploy(STOREFRONT_BUILT_CONFIG);
