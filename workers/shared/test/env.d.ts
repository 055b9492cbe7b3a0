import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      /** D1 binding → its migrations, read by the vitest config and applied before each test file. */
      TEST_MIGRATIONS: Record<string, D1Migration[]>;
    }
  }
}
