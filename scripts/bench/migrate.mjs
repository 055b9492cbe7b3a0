import { DEV_ONLY, SERVICES, run, workerConfig } from "../lib/workers.mjs";

/** Migrates every database into the state folder `dir`, exactly as `npm run dev` does. */
export async function migrate(dir) {
  for (const { name, database } of [...SERVICES, ...DEV_ONLY].filter((s) => s.database)) {
    await run("wrangler", ["d1", "migrations", "apply", database, "--local", "-c", workerConfig(name), "--persist-to", dir], {
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
}
