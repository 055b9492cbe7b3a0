import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";
import { TEST_JWT_SECRET } from "../shared/test/secrets.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// wrangler checks required secrets against process.env while reading the config; the
// Stripe ones are empty (sandbox mode), and the bindings below pin them so whatever the shell holds.
process.env.JWT_SECRET ??= TEST_JWT_SECRET;
for (const name of ["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"]) process.env[name] ??= "";

/**
 * Payments under workerd, like every Worker's project (workers/shared/test/worker-project.ts)
 * plus what that helper cannot say. The tests run the real stripe SDK against the real
 * sandbox app in-process (test/harness.ts), so the sandbox's own database is bound here as
 * SANDBOX_DB. The STRIPE_SANDBOX binding names a Worker outside this project, which workerd
 * refuses to start with; it is replaced, and each test binds the sandbox app instead.
 */
export default defineProject({
  root: here("."),
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          JWT_SECRET: TEST_JWT_SECRET,
          LOG_LEVEL: "warn",
          // Sandbox mode, whatever the developer's shell holds: tests never reach Stripe.
          STRIPE_SECRET_KEY: "",
          STRIPE_PUBLISHABLE_KEY: "",
          STRIPE_WEBHOOK_SECRET: "",
          TEST_MIGRATIONS: {
            PAYMENTS_DB: await readD1Migrations(here("../../schema/migrations/payments")),
            SANDBOX_DB: await readD1Migrations(here("../stripe-sandbox/migrations")),
          },
        },
        d1Databases: { SANDBOX_DB: "stripe-sandbox-test" },
        serviceBindings: { STRIPE_SANDBOX: () => new Response("bind the sandbox app in the test", { status: 503 }) },
      },
    })),
  ],
  test: {
    name: "payments",
    include: ["test/**/*.test.ts"],
    setupFiles: [here("../shared/test/apply-migrations.ts")],
  },
});
