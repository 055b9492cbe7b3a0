#!/usr/bin/env node
// `npm run typecheck`: stale binding types fail first, then strict TypeScript over every
// Worker (each has its own generated Env), the shared library, schema and the storefront.
import { DEV_ONLY, SERVICES, run } from "./lib/workers.mjs";

await run("node", ["scripts/types.mjs", "--check"]);
const projects = ["tsconfig.node.json", "test/browser", "workers/shared", ...[...SERVICES, ...DEV_ONLY].map(({ name }) => `workers/${name}`)];
await Promise.all(projects.map((p) => run("tsc", ["-p", p])));
await run("astro", ["check", "--root", "site", "--minimumSeverity", "warning"]);
console.log("Types check.");
