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
  refuseLocalOnly(config, rawConfig.vars ?? {});
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

/**
 * Settings that only make sense locally: the mailbox copy of every email (it would keep
 * every message's text and address), and links in emails that point at localhost.
 */
function refuseLocalOnly(config, vars) {
  if (vars.MAILBOX_CAPTURE === "1") throw new Error(`${config}: MAILBOX_CAPTURE must be "0" in a deployed Worker`);
  if (vars.SHOP_URL !== undefined && !String(vars.SHOP_URL).startsWith("https://")) {
    throw new Error(`${config}: set SHOP_URL to the shop's public https:// origin before deploying (docs/deploy.md)`);
  }
}

await run("astro", ["build", "--root", "site"]);
for (const { name, database } of SERVICES) {
  if (database) await run("wrangler", ["d1", "migrations", "apply", database, "--remote", "-c", workerConfig(name)]);
  await deploy(workerConfig(name));
}
await deploy(STOREFRONT_BUILT_CONFIG);
