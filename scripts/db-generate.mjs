#!/usr/bin/env node
// `npm run db:generate -- <name>`: writes a migration for every database whose drizzle
// tables in schema/tables/ changed since the last one.
import { SERVICES, run } from "./lib/workers.mjs";

const name = process.argv[2] ?? "change";
for (const { name: db } of SERVICES.filter((s) => s.database)) {
  await run("drizzle-kit", ["generate", "--config", "schema/drizzle.config.ts", "--name", name], { env: { DB: db } });
}
