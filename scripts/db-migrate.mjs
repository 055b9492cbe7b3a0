#!/usr/bin/env node
// `npm run db:migrate`: applies pending migrations to every local database (the state
// `npm run dev` uses). `npm run db:migrate -- --remote` applies them to Cloudflare.
import { resolve } from "node:path";
import { ROOT, SERVICES, localSettings, run, workerConfig } from "./lib/workers.mjs";

const remote = process.argv.includes("--remote");
const persistTo = resolve(ROOT, localSettings().PERSIST_TO ?? ".wrangler/state");
for (const { name, database } of SERVICES.filter((s) => s.database)) {
  const target = remote ? ["--remote"] : ["--local", "--persist-to", persistTo];
  await run("wrangler", ["d1", "migrations", "apply", database, "-c", workerConfig(name), ...target]);
}
