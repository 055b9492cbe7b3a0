import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The sandbox under workerd, like every Worker's project (workers/shared/test/worker-project.ts)
 * plus what that helper cannot say: the `PAYMENTS` binding names a Worker outside this
 * project, which workerd refuses to start with, so it is replaced. Tests pass their own
 * recording endpoint per request; this one only answers if a test forgets to.
 */
export default defineProject({
  root: here("."),
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          LOG_LEVEL: "warn",
          // The sandbox's database is its own, not a service's, so its migrations live beside it.
          TEST_MIGRATIONS: { SANDBOX_DB: await readD1Migrations(here("./migrations")) },
        },
        serviceBindings: { PAYMENTS: () => new Response("payments is not part of this test project", { status: 503 }) },
      },
    })),
  ],
  test: {
    name: "stripe-sandbox",
    include: ["test/**/*.test.ts"],
    setupFiles: [here("../shared/test/apply-migrations.ts")],
  },
});
