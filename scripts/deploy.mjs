#!/usr/bin/env node
// `npm run deploy`: applies remote D1 migrations, then deploys the service Workers before
// the storefront that binds to them. See docs/deploy.md for the one-time setup.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { experimental_readRawConfig as readRawConfig } from "wrangler";
import { stripeSecrets } from "./lib/stripe-secrets.mjs";
import { DEV_ONLY, SERVICES, STOREFRONT_BUILT_CONFIG, run, workerConfig } from "./lib/workers.mjs";

const DEV_ONLY_SERVICES = new Set(DEV_ONLY.map(({ name }) => `oscillation-${name}`));
/** Vars that only mean something beside a development-only Worker, left out of deployed configs. */
const DEV_ONLY_VARS = ["SANDBOX_WEBHOOK_SECRET"];

// Checked before anything is built or migrated: payments without its Stripe secrets would
// take no payment, so nothing is deployed until all three are given.
const { secrets: stripe, problems } = stripeSecrets(process.env);
if (!stripe) {
  console.error(
    `Not deploying: payments needs its Stripe secrets in the environment.\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
      "Set STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET (docs/deploy.md).",
  );
  process.exit(1);
}

/**
 * Deploys `config` without its bindings to development-only Workers (the Stripe sandbox is
 * never deployed, and a binding to a missing Worker fails the deploy) or their vars. The
 * filtered copy is written beside the original so relative paths keep their meaning.
 * `secrets` are uploaded with this deploy, from a file readable only by us, removed after.
 */
async function deploy(config, secrets) {
  const { rawConfig } = readRawConfig({ config });
  refuseLocalOnly(config, rawConfig.vars ?? {});
  const services = (rawConfig.services ?? []).filter((s) => !DEV_ONLY_SERVICES.has(s.service));
  const vars = Object.fromEntries(Object.entries(rawConfig.vars ?? {}).filter(([name]) => !DEV_ONLY_VARS.includes(name)));
  const copy = join(dirname(config), "wrangler.deploy.json");
  writeFileSync(copy, JSON.stringify({ ...rawConfig, services, vars }, null, 2));
  const secretsDir = secrets ? mkdtempSync(join(tmpdir(), "oscillation-deploy-")) : null;
  const args = ["deploy", "-c", copy];
  if (secretsDir) {
    const file = join(secretsDir, "secrets.json");
    // JSON, not dotenv: wrangler expands `$` in dotenv values.
    writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
    args.push("--secrets-file", file);
  }
  try {
    await run("wrangler", args);
  } finally {
    rmSync(copy, { force: true });
    if (secretsDir) rmSync(secretsDir, { recursive: true, force: true });
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
  await deploy(workerConfig(name), name === "payments" ? stripe : undefined);
}
await deploy(STOREFRONT_BUILT_CONFIG);
