import { readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { workerProject } from "./test/worker-project.ts";

// shared is a library, not a Worker: its tests run against a fixture Worker that publishes
// and consumes a real queue. Its tables are not a service's, so its migrations live beside it.
const fixture = (path: string) => fileURLToPath(new URL(`./test/messaging/fixture/${path}`, import.meta.url));

export default workerProject({
  name: "shared",
  root: import.meta.url,
  configPath: "./test/messaging/fixture/wrangler.toml",
  bindings: { TEST_MIGRATIONS: { DB: await readD1Migrations(fixture("migrations")) } },
});
