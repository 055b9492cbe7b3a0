#!/usr/bin/env node
// `npm run deploy`: applies remote D1 migrations, then deploys the service Workers before
// the storefront that binds to them. See docs/deploy.md for the one-time setup.
import { SERVICES, STOREFRONT_BUILT_CONFIG, run, workerConfig } from "./lib/workers.mjs";

await run("astro", ["build", "--root", "site"]);
for (const { name, database } of SERVICES) {
  if (database) await run("wrangler", ["d1", "migrations", "apply", database, "--remote", "-c", workerConfig(name)]);
  await run("wrangler", ["deploy", "-c", workerConfig(name)]);
}
await run("wrangler", ["deploy", "-c", STOREFRONT_BUILT_CONFIG]);
