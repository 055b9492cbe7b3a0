import { defineConfig } from "drizzle-kit";

// One config for every database: `DB=catalog drizzle-kit generate` (scripts/db-generate.mjs loops over all).
const database = process.env.DB;
if (!database) throw new Error("Set DB to one of: auth, catalog, orders, payments, notifications");

export default defineConfig({
  dialect: "sqlite",
  schema: `./schema/tables/${database}.ts`,
  out: `./schema/migrations/${database}`,
});
