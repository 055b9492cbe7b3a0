#!/usr/bin/env node
// `npm run bench`: seeds N listings, loads the system from a second process with autocannon,
// and prints one table of throughput, latency, ratio to the ceiling and D1 cost per scenario,
// with bundle sizes, startup and page weights, then the budgets. See docs/performance.md.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../lib/free-port.mjs";
import { ROOT, localSettings, toolEnv } from "../lib/workers.mjs";
import { readArgs } from "./args.mjs";
import { startDev } from "./dev-system.mjs";
import { migrate } from "./migrate.mjs";
import { startMiniflare } from "./miniflare-system.mjs";
import { budgetTable, budgets, loadTable, pageTable, rows, sizeTable } from "./report.mjs";
import { buyerCookies } from "./buyers.mjs";
import { DROP, SCENARIOS, ceilingOf, valueLists } from "./scenarios.mjs";
import { listings, seed } from "./seed.mjs";
import { profileWhile } from "./profile.mjs";
import { pageAssets, workerSizes } from "./sizes.mjs";
import { newClientAddress } from "../../test/support/client-address.mjs";

let args;
try {
  args = readArgs();
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
if (args.help) {
  console.log(args.help);
  process.exit(0);
}

// Vars and secrets reach every Worker from the environment, as in `npm run dev`; logs stay quiet.
Object.assign(process.env, localSettings(), { LOG_LEVEL: "warn" });

if (!existsSync(join(ROOT, "dist", "workers", "storefront", "entry.mjs"))) {
  console.error("No built Workers in dist/workers: run `npm run build` first.");
  process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), "oscillation-bench-"));
const running = new Set();
async function cleanUp() {
  for (const system of running) await system.stop().catch(() => {});
  rmSync(tmp, { recursive: true, force: true });
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => cleanUp().finally(() => process.exit(130)));
}

const log = (message) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

let nextPort = args.port;
const port = () => (nextPort ? Promise.resolve(nextPort++) : freePort());

async function start(mode, persistTo, seeding = false) {
  const system =
    mode === "dev"
      ? await startDev({ port: await port(), persistTo })
      : await startMiniflare({ port: await port(), persistTo, inspectorPort: args.profile && !seeding ? await port() : undefined });
  running.add(system);
  return system;
}

async function stop(system) {
  await system.stop();
  running.delete(system);
}

/** One load from the load generator's own process: answers its JSON result. */
function load(spec) {
  const file = join(tmp, "load-spec.json");
  writeFileSync(file, JSON.stringify(spec));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "scripts", "bench", "load.mjs"), file], {
      cwd: ROOT,
      env: toolEnv(),
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1)));
    });
  });
}

async function signUp(origin, n) {
  const res = await fetch(`${origin}/api/users/signup`, {
    method: "POST",
    // Each buyer is its own visitor: sign-ups are limited per client.
    headers: { "content-type": "application/json", "cf-connecting-ip": newClientAddress() },
    body: JSON.stringify({ email: `bench-buyer-${n}@oscillation.test`, password: "bench-buyer-password" }),
  });
  const cookie = /session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0];
  if (res.status !== 201 || !cookie) throw new Error(`signing up the buyer answered ${res.status}`);
  return cookie;
}

/** Drops back to back for the load's duration, each on the next records of `records` and buyers of its own. */
async function dropSpec(origin, records) {
  const drops = [];
  for (let at = 0; at + DROP.records <= records.length; at += DROP.records) {
    drops.push({ records: records.slice(at, at + DROP.records), cookies: await buyerCookies(process.env.JWT_SECRET, DROP.buyers, { prefix: "bench-drop" }) });
  }
  return { origin, duration: args.duration, drops };
}

const PROFILED = ["oscillation", "oscillation-catalog", "oscillation-orders"];
const profiles = [];

/** Runs `during` with the product Workers' CPU profiled; keeps the summary for the report. */
async function profiled(system, label, during) {
  mkdirSync(args.profile, { recursive: true });
  const { result, summaries } = await profileWhile(system.inspector, PROFILED, args.profile, label, during);
  profiles.push({ label, summaries });
  return result;
}

/** Runs every chosen scenario against one system; the mode's ceiling first, consuming ones last. */
async function loadAll(mode, system, n, lists) {
  const cookie = await signUp(system.origin, n);
  const ceiling = SCENARIOS.find((s) => s.id === ceilingOf(mode));
  // The bench's own Workers exist only in the gating instance.
  const wanted = new Set([ceiling.id, ...args.scenarios.filter((id) => id !== "ceiling" && !(mode === "dev" && SCENARIOS.find((s) => s.id === id).benchOnly))]);
  const chosen = SCENARIOS.filter((s) => wanted.has(s.id)).sort((a, b) => Number(Boolean(a.consumes)) - Number(Boolean(b.consumes)));
  await load({ origin: system.origin, connections: args.connections, duration: 1, path: ceiling.path });
  const results = {};
  for (const scenario of chosen) {
    if (scenario.drop) {
      results[scenario.id] = await load(await dropSpec(system.origin, lists[scenario.values]));
      const r = results[scenario.id];
      log(`${mode} N=${n} drop: ${Math.round(r.rps)} attempts/s, p99 ${r.p99} ms, winners ${r.drop.rounds.map((d) => d.winners).join(" ")}`);
      continue;
    }
    let values = scenario.values ? lists[scenario.values] : undefined;
    if (scenario.buyerEach) {
      const cookies = await buyerCookies(process.env.JWT_SECRET, values.length);
      values = values.map((value, i) => ({ value, cookie: cookies[i] }));
    }
    const spec = {
      origin: system.origin,
      connections: args.connections,
      duration: args.duration,
      method: scenario.method ?? "GET",
      path: scenario.path,
      headers: {
        ...(scenario.signedIn ? { cookie } : {}),
        ...(scenario.body ? { "content-type": "application/json" } : {}),
      },
      body: scenario.body,
      values,
      distinct: scenario.distinct,
    };
    // A second of the same load first, unmeasured, so the measured one meets warm code.
    if (!scenario.consumes) await load({ ...spec, duration: 1 });
    // Other work on the machine comes and goes, so each scenario alternates with the
    // ceiling in short slices and is divided by what the ceiling did meanwhile. Not the
    // orders: the queue consumers they set off would slow the ceiling slices too.
    if (scenario.id !== ceiling.id && !scenario.consumes) spec.ceiling = { path: ceiling.path };
    const result = system.inspector
      ? await profiled(system, `${mode}-${n}-${scenario.id}`, () => load(spec))
      : await load(spec);
    results[scenario.id] = result;
    const ratio = result.ceilingRps ? `, ${(result.rps / result.ceilingRps).toFixed(2)} of ${Math.round(result.ceilingRps)} req/s ceiling` : "";
    log(`${mode} N=${n} ${scenario.id}: ${Math.round(result.rps)} req/s${ratio}, p99 ${result.p99} ms, ${result.non2xx} non-2xx`);
  }
  return results;
}

const report = { startedAt: new Date().toISOString(), options: args, machine: { cpus: (await import("node:os")).cpus().length }, runs: [] };
let pages = [];
let workers = [];
try {
  const template = join(tmp, "template");
  log("migrating the databases (once)");
  // Each run starts from a copy of it.
  await migrate(template);
  // Each size is seeded once; with --rounds the sizes then take turns, so a change in the
  // machine over the run falls on every size alike.
  const seededOf = new Map();
  for (let round = 1; round <= args.rounds; round++) for (const n of args.sizes) {
    const rowsOfN = listings(n);
    const seeded = join(tmp, `seeded-${n}`);
    if (!seededOf.has(n)) {
      cpSync(template, seeded, { recursive: true });
      const seeder = await start("miniflare", seeded, true);
      const ms = await seed(
        { catalog: await seeder.d1("CATALOG_DB", "catalog"), orders: await seeder.d1("ORDERS_DB", "orders"), images: await seeder.r2("IMAGES", "catalog") },
        rowsOfN,
      );
      await stop(seeder);
      log(`seeded ${n} listings in ${(ms / 1000).toFixed(1)} s`);
      seededOf.set(n, ms);
    }
    const seedMs = seededOf.get(n);
    if (args.rounds > 1) log(`round ${round} of ${args.rounds}, N=${n}`);
    const lists = valueLists(rowsOfN);
    for (const mode of args.modes) {
      const state = join(tmp, `${mode}-${n}`);
      cpSync(seeded, state, { recursive: true });
      const system = await start(mode, state);
      log(`${mode} system up for N=${n} on ${system.origin}`);
      try {
        if (mode === "miniflare" && pages.length === 0) {
          // The record page of a record with a photo, which pages draw from its sizes.
          const photographed = rowsOfN.find((r) => r.status === "available" && r.photo !== null)?.id ?? lists.records[0];
          pages = [await pageAssets(system.origin, "/"), await pageAssets(system.origin, "/vinyls"), await pageAssets(system.origin, `/vinyls/${photographed}`)];
        }
        report.runs.push({ mode, n, round, seedMs, results: await loadAll(mode, system, n, lists) });
      } finally {
        await stop(system);
        rmSync(state, { recursive: true, force: true });
      }
    }
    if (round === args.rounds) rmSync(seeded, { recursive: true, force: true });
  }
  if (args.sizesReport) {
    log("measuring bundle sizes and startup (wrangler deploy --dry-run, wrangler check startup)");
    workers = await workerSizes(tmp);
  }
} finally {
  await cleanUp();
}

const table = rows(report.runs);
const verdicts = budgets(table, { workers, pages });
Object.assign(report, { finishedAt: new Date().toISOString(), table, pages, workers, budgets: verdicts });

const sections = [["Load", loadTable(table)]];
if (profiles.length) {
  report.profiles = profiles;
  const lines = profiles.flatMap(({ label, summaries }) =>
    Object.entries(summaries).map(
      ([worker, { file, top }]) =>
        `${label} ${worker} (${file})\n${top.map((t) => `  ${(t.share * 100).toFixed(1).padStart(5)} %  ${t.ms} ms  ${t.fn}`).join("\n")}`,
    ),
  );
  sections.push(["CPU profiles: self time by function (profiled runs are slower; not for budgets)", lines.join("\n\n")]);
}
if (pages.length) sections.push(["Storefront pages: what a browser loads (gzip -9)", pageTable(pages)]);
if (workers.length) sections.push(["Workers: wrangler deploy --dry-run upload, wrangler check startup (median of 3)", sizeTable(workers)]);
sections.push(["Budgets (gating mode: built bundles in one Miniflare)", budgetTable(verdicts)]);
console.log(sections.map(([title, text]) => `${title}\n\n${text}`).join("\n\n"));
if (args.out) {
  writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nWrote ${args.out}`);
}
