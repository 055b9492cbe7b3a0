import { defineConfig } from "drizzle-kit";

// The sandbox's own database: `drizzle-kit generate --config workers/stripe-sandbox/drizzle.config.ts`
// from the repository root. Not part of schema/: no service owns it, and it is never deployed.
export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/stripe-sandbox/src/schema.ts",
  out: "./workers/stripe-sandbox/migrations",
});
