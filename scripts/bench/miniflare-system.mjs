// The gating system: every Worker's deployable bundle from `npm run build` (`wrangler deploy
// --dry-run --outdir dist/workers/<name>`) in ONE Miniflare instance, no `wrangler dev` proxy
// in front and no request logging, with the bindings each wrangler config declares and the
// state folder `npm run dev` would use. The bench adds three things of its own: the ceiling
// (a constant answered by the storefront's Worker before any of the shop's code runs), a
// bare Worker answering the same constant, and the D1 floor (one `select 1`).
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { DEV_ONLY, ROOT, SERVICES, STOREFRONT_BUILT_CONFIG, workerConfig } from "../lib/workers.mjs";

/**
 * The ceiling: a trivial route on the storefront's own Worker. Every scenario enters through
 * the storefront, so the ceiling pays what the runtime charges that entry (Miniflare's asset
 * router in front of a Worker that declares `assets`, the isolate, the HTTP exchange) and
 * nothing of the shop's code: the bench wraps the built entry module, answering this path
 * first and handing every other request to the storefront as built.
 */
export const CEILING_PATH = "/__bench/ceiling";

const ceilingEntry = (entry) => `import storefront from "./${entry}";
const CONSTANT = ${JSON.stringify(CEILING_PATH)};
export * from "./${entry}";
export default {
  ...storefront,
  fetch(request, env, ctx) {
    if (request.url.endsWith(CONSTANT)) return new Response("ok", { headers: { "content-type": "text/plain" } });
    return storefront.fetch(request, env, ctx);
  },
};
`;

/** The same constant from a bare Worker of its own: what the storefront's entry costs in this runtime. */
export const BARE_PATH = "/__bench/bare";

const BARE_WORKER = {
  name: "bench-bare",
  modules: true,
  compatibilityDate: "2026-10-01",
  script: `export default { fetch() { return new Response("ok", { headers: { "content-type": "text/plain" } }); } };`,
  routes: [`*${BARE_PATH}`],
};

/** The path of the bench's D1 floor: one `select 1` through catalog's D1 binding, nothing else. */
export const D1_FLOOR_PATH = "/__bench/d1";

// Shows what one D1 round trip costs in this instance before any product code runs.
const D1_FLOOR_WORKER = {
  name: "bench-d1-floor",
  modules: true,
  compatibilityDate: "2026-10-01",
  script: `export default { async fetch(_request, env) { await env.DB.prepare("select 1").all(); return new Response("ok"); } };`,
  routes: [`*${D1_FLOOR_PATH}`],
};

/** The path of the bench's D1 write floor: one write transaction through a D1 binding, nothing else. */
export const D1_WRITE_FLOOR_PATH = "/__bench/d1-write";

// What committing one write costs in this instance, with no product code: a batch of one
// insert and its row read back (the shape of an order's write), into a database of the
// bench's own. \`/__bench/d1-write/N\` makes it N inserts in the same batch.
const D1_WRITE_FLOOR_WORKER = {
  name: "bench-d1-write-floor",
  modules: true,
  compatibilityDate: "2026-10-01",
  script: `let ready;
export default {
  async fetch(request, env) {
    ready ??= env.DB.prepare("create table if not exists floor (id integer primary key, at integer not null)").run();
    await ready;
    const n = Number(new URL(request.url).pathname.split("/")[3] ?? 1);
    const at = Date.now();
    const inserts = Array.from({ length: n }, () => env.DB.prepare("insert into floor (at) values (?)").bind(at));
    await env.DB.batch([...inserts, env.DB.prepare("select id from floor where rowid = last_insert_rowid()")]);
    return new Response("ok");
  },
};`,
  routes: [`*${D1_WRITE_FLOOR_PATH}`, `*${D1_WRITE_FLOOR_PATH}/*`],
  d1Databases: { DB: "bench-d1-write-floor" },
};

const bundleDir = (name) => join(ROOT, "dist", "workers", name);

/**
 * A bundle's modules, the entry first: every .js/.mjs file wrangler wrote (the storefront has
 * chunks). With `wrap`, a module of the bench's own becomes the entry and imports the built one.
 */
function bundleModules(name, wrap) {
  const dir = bundleDir(name);
  const entry = existsSync(join(dir, "entry.mjs")) ? "entry.mjs" : "index.js";
  if (!existsSync(join(dir, entry))) throw new Error(`No bundle in ${dir}: run \`npm run build\` first.`);
  const files = readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => /\.m?js$/.test(f) && f !== entry);
  const modules = [entry, ...files].map((f) => ({ type: "ESModule", path: join(dir, f) }));
  if (wrap) modules.unshift({ type: "ESModule", path: join(dir, "__bench-entry.mjs"), contents: wrap(entry) });
  return { modulesRoot: dir, modules };
}

/** One Worker's Miniflare options, from its wrangler config, running its built bundle. */
function workerOptions(configPath, name, wrap) {
  // Module rules only matter for wrangler's bundling, which already happened.
  const { modulesRules: _rules, ...options } = unstable_getMiniflareWorkerOptions(configPath).workerOptions;
  return { ...options, ...bundleModules(name, wrap) };
}

/**
 * Starts the system on `port` over the state folder `persistTo` (as `wrangler dev
 * --persist-to` lays it out). Vars and secrets come from `process.env`, as for wrangler.
 * @param {{ port: number, persistTo: string, inspectorPort?: number }} options
 */
export async function startMiniflare({ port, persistTo, inspectorPort }) {
  // With an inspector port each product Worker can be profiled (scripts/bench/profile.mjs).
  const inspect = inspectorPort ? { unsafeInspectorProxy: true } : {};
  const workers = [
    // The storefront first: Miniflare sends it every request no other Worker's route claims.
    { ...workerOptions(STOREFRONT_BUILT_CONFIG, "storefront", ceilingEntry), name: "oscillation", ...inspect },
    ...[...SERVICES, ...DEV_ONLY].map(({ name }) => ({ ...workerOptions(workerConfig(name), name), name: `oscillation-${name}`, ...inspect })),
    BARE_WORKER,
  ];
  // The same database as catalog's binding (its id as wrangler maps it).
  const catalog = workers.find((w) => w.name === "oscillation-catalog");
  workers.push({ ...D1_FLOOR_WORKER, d1Databases: { DB: catalog.d1Databases.CATALOG_DB } }, D1_WRITE_FLOOR_WORKER);
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port,
      workers,
      resourcePersistencePath: join(persistTo, "v3"),
      // No request log lines and no network look-up of the `cf` object.
      logRequests: false,
      cf: false,
      log: new Log(LogLevel.WARN),
      ...(inspectorPort && { inspectorPort, inspectorHost: "127.0.0.1" }),
    }),
  );
  const url = await mf.ready;
  return {
    origin: url.origin,
    inspector: inspectorPort ? `http://127.0.0.1:${inspectorPort}` : null,
    d1: (binding, worker) => mf.getD1Database(binding, `oscillation-${worker}`),
    r2: (binding, worker) => mf.getR2Bucket(binding, `oscillation-${worker}`),
    stop: () => mf.dispose(),
  };
}
