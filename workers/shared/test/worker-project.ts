import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import type { Json } from "miniflare";
import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";
import { TEST_JWT_SECRET } from "./secrets.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// wrangler checks required secrets against process.env while reading each config.
process.env.JWT_SECRET ??= TEST_JWT_SECRET;

/**
 * The vitest project of one Worker: its own wrangler config under workerd, with each D1
 * database migrated from schema/migrations/<name> before the tests (the same SQL wrangler
 * applies in development and production).
 */
export function workerProject(opts: {
  name: string;
  /** Worker folder, as `import.meta.url` of its vitest.config.ts. */
  root: string;
  /** D1 binding → schema/migrations folder name. */
  databases?: Record<string, string>;
  /** wrangler config relative to the worker folder. */
  configPath?: string;
  main?: string;
  bindings?: Record<string, Json>;
}) {
  const root = fileURLToPath(new URL(".", opts.root));
  return defineProject({
    root,
    plugins: [
      cloudflareTest(async () => {
        const migrations: Record<string, Json> = {};
        for (const [binding, folder] of Object.entries(opts.databases ?? {})) {
          migrations[binding] = (await readD1Migrations(here(`../../../schema/migrations/${folder}`))) as Json;
        }
        return {
          main: opts.main,
          wrangler: { configPath: opts.configPath ?? "./wrangler.toml" },
          miniflare: {
            // D1_TIMING as in development: responses say what they cost in D1.
            bindings: { JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: "warn", D1_TIMING: "1", TEST_MIGRATIONS: migrations, ...opts.bindings },
          },
        };
      }),
    ],
    test: {
      name: opts.name,
      include: ["test/**/*.test.ts"],
      setupFiles: [here("./apply-migrations.ts")],
      // Every project runs at once on a two-core machine: a test that walks sixty pages or
      // replays every arrival order takes a few seconds alone and several times that then.
      testTimeout: 30_000,
    },
  });
}
