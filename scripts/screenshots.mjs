#!/usr/bin/env node
// `npm run screenshots`: builds the storefront and runs the browser journeys, which then
// also write the README's screenshots (docs/screenshots/*.png, JavaScript on, 1280×800).
import { run, toolEnv } from "./lib/workers.mjs";

await run("astro", ["build", "--root", "site", "--silent"]);
await run("vitest", ["run", "--project", "browser"], { env: toolEnv({ SCREENSHOTS: "docs" }) });
