#!/usr/bin/env node
// `npm run dev`: builds the storefront, migrates every local database, then runs all
// Workers and the storefront in one wrangler process on http://localhost:$PORT.
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startCronClock } from "./dev-cron.mjs";
import { DEMO_SELLER, seed } from "./seed/seed.mjs";
import {
  DEV_ONLY, ROOT, SERVICES, STOREFRONT_BUILT_CONFIG, localSettings, run, toolEnv, workerConfig,
} from "./lib/workers.mjs";

const { values: flags } = parseArgs({
  options: {
    // Skip `astro build` when the storefront was just built (tests, benchmarks).
    "no-build": { type: "boolean", default: false },
  },
});

const settings = localSettings();
const port = settings.PORT ?? "8787";
// Links in emails point at this local origin unless told otherwise.
settings.SHOP_URL ||= `http://localhost:${port}`;
const persistTo = resolve(ROOT, settings.PERSIST_TO ?? ".wrangler/state");
const started = Date.now();

// With real Stripe keys the sandbox does not run at all, so nothing can pay through it.
const devOnly = settings.STRIPE_SECRET_KEY ? DEV_ONLY.filter((s) => s.name !== "stripe-sandbox") : DEV_ONLY;

// The storefront build and the migrations are independent, so they run side by side; the
// migrations run one after another, since local D1 databases share one state folder.
async function migrate() {
  for (const { name, database } of [...SERVICES, ...devOnly].filter((s) => s.database)) {
    await run("wrangler", ["d1", "migrations", "apply", database, "--local", "-c", workerConfig(name), "--persist-to", persistTo], {
      env: settings,
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
}
await Promise.all([
  flags["no-build"] ? undefined : run("astro", ["build", "--root", "site", "--silent"], { env: settings }),
  migrate(),
]);

const configs = [STOREFRONT_BUILT_CONFIG, ...SERVICES.map((s) => workerConfig(s.name)), ...devOnly.map((s) => workerConfig(s.name))];
const args = ["dev", ...configs.flatMap((c) => ["-c", c]), "--port", port, "--persist-to", persistTo];
// wrangler otherwise takes 9229 or the next port it finds free, which two systems starting
// side by side (the tests) can both find.
if (settings.INSPECTOR_PORT) args.push("--inspector-port", settings.INSPECTOR_PORT);
if (!process.stdout.isTTY) args.push("--show-interactive-dev-session=false");

console.log(`Starting Oscillation on http://localhost:${port} (prepared in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
const wrangler = spawn("wrangler", args, { cwd: ROOT, stdio: "inherit", env: toolEnv(settings) });

// Ctrl-C reaches wrangler through the terminal; a plain SIGTERM (CI, test harness) is forwarded.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => wrangler.kill(signal));
}
wrangler.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));

const origin = `http://localhost:${port}`;
if (await healthy(`${origin}/api/health`, 60_000)) {
  console.log(`Oscillation is ready on ${origin} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const everySeconds = Number(settings.CRON_EVERY_SECONDS) || undefined;
  startCronClock(origin, { everySeconds });
  console.log(everySeconds ? `Crons run every ${everySeconds} s.` : "Crons run on their schedule.");
  if (!["0", "false"].includes(String(settings.SEED))) {
    await seed(origin).then(
      ({ created, total }) =>
        console.log(`Demo catalog: ${created} records added, ${total - created} already there. Seller: ${DEMO_SELLER.email} / ${DEMO_SELLER.password}`),
      (error) => console.warn(`Demo catalog not seeded: ${error.message}`),
    );
  }
}

async function healthy(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && wrangler.exitCode === null) {
    if (await fetch(url).then((r) => r.ok, () => false)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
