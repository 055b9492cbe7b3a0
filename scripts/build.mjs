#!/usr/bin/env node
// `npm run build`: builds the storefront and bundles every Worker exactly as `wrangler
// deploy` would (--dry-run needs no account), so a Worker that cannot bundle fails here.
import { join } from "node:path";
import { DEV_ONLY, ROOT, SERVICES, STOREFRONT_BUILT_CONFIG, run, workerConfig } from "./lib/workers.mjs";

const out = (name) => join(ROOT, "dist", "workers", name);
const quiet = { stdio: ["ignore", "ignore", "inherit"] };

await run("astro", ["build", "--root", "site", "--silent"]);
await run("wrangler", ["deploy", "--dry-run", "-c", STOREFRONT_BUILT_CONFIG, "--outdir", out("storefront")], quiet);
for (const { name } of [...SERVICES, ...DEV_ONLY]) {
  await run("wrangler", ["deploy", "--dry-run", "-c", workerConfig(name), "--outdir", out(name)], quiet);
}
console.log(`Built the storefront and ${SERVICES.length + DEV_ONLY.length} Workers into dist/workers/.`);
