#!/usr/bin/env node
// `npm run bench:wantlist`: what a listing costs once a wantlist matches every new record.
// For each size W: a fresh gating system (the built bundles in one Miniflare, as `npm run
// bench`), W wants saved through the API by W/100 collectors, then one seller lists records
// one after another through the API. It reports the listing request, the candidate lookup
// the notifications consumer runs for each listing (rows read of W), the alerts written,
// and the time from the listing's commit to its event applied in the notifications inbox.
// See docs/performance.md, "Wantlist matching".
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { GENRES, MEDIA_GRADES } from "../../schema/vocabulary.ts";
import { random as generator } from "../../site/src/lib/cover-art.ts";
import { probesOf } from "../../workers/notifications/src/words.ts";
import { freePort } from "../lib/free-port.mjs";
import { ROOT, localSettings } from "../lib/workers.mjs";
import { migrate } from "./migrate.mjs";
import { startMiniflare } from "./miniflare-system.mjs";
import { listings } from "./seed.mjs";
import { parseD1 } from "./server-timing.mjs";

const HELP = `npm run bench:wantlist -- [options]

  --wants 0,10000        wants saved, one fresh system per size (0: the listing alone)
  --listings 200         records listed after the wants are saved
  --port 18900           port of the system (default: a free one)`;

const { values } = parseArgs({
  options: {
    wants: { type: "string", default: "0,10000" },
    listings: { type: "string", default: "200" },
    port: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const SIZES = values.wants.split(",").map((s) => Number(s.replace(/_/g, "")));
const LISTINGS = Number(values.listings);
if (SIZES.some((n) => !Number.isInteger(n) || n < 0) || !Number.isInteger(LISTINGS) || LISTINGS <= 0) {
  console.error(HELP);
  process.exit(2);
}

Object.assign(process.env, localSettings(), { LOG_LEVEL: "warn" });
if (!existsSync(join(ROOT, "dist", "workers", "notifications", "index.js"))) {
  console.error("No built Workers in dist/workers: run `npm run build` first.");
  process.exit(1);
}

const log = (message) => console.error(`[wantlist ${new Date().toISOString().slice(11, 19)}] ${message}`);
const WANTS_PER_USER = 100;

const port = () => (values.port ? Promise.resolve(Number(values.port)) : freePort());

/** Runs `task` over `items` with `width` at a time. */
async function pool(items, width, task) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await task(items[i], i);
      }
    }),
  );
  return out;
}

async function signUp(origin, email) {
  const res = await fetch(`${origin}/api/users/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "bench-wantlist-password" }),
  });
  if (res.status !== 201) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`);
  return { id: (await res.json()).id, email, cookie: /session=[^;]+/.exec(res.headers.get("set-cookie"))[0] };
}

// The bench's catalog vocabulary (scripts/bench/seed.mjs), so wants meet the listings' words.
const SAMPLE = listings(2_000, 99);
const pick = (random, list) => list[Math.floor(random() * list.length)];

/**
 * W wants, deterministic: 60 % a title's words (sometimes with a grade), 35 % an artist, 5 %
 * a genre with a low price cap and a good grade (the broadest kind: every new record in the
 * genre is its candidate). The bench's catalog has only about 2,500 titles and 900 artists,
 * so at 10,000 wants each listing matches several: real wantlists spread far wider.
 */
function wantsOf(n) {
  const random = generator(n);
  return Array.from({ length: n }, () => {
    const row = pick(random, SAMPLE);
    const kind = random();
    if (kind < 0.6) return random() < 0.3 ? { q: row.title, condition: pick(random, MEDIA_GRADES.slice(0, 4)) } : { q: row.title };
    if (kind < 0.95) return { artist: row.artist };
    return { genre: pick(random, GENRES), maxPrice: 3 + Math.floor(random() * 3), condition: pick(random, MEDIA_GRADES.slice(0, 2)) };
  });
}

/** The listings one seller lists, as the sell form sends them. */
const listingsToList = (n) =>
  listings(n, 1234).map((row) => ({
    title: row.title,
    artist: row.artist,
    genre: row.genre,
    price: row.price_cents / 100,
    description: row.description,
    label: row.label,
    format: row.format,
    year: row.year,
    ...(row.media_condition ? { mediaCondition: row.media_condition } : {}),
  }));

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

/** The consumer's candidate lookup (workers/notifications/src/matching.ts), its cost read from D1. */
const LOOKUP = `select id, user_id, terms, artist_key, genre, min_rank from wants
  where match_key in (select value from json_each(?1)) and price_cap >= ?2 and user_id <> ?3`;

async function measure(size, tmp) {
  const state = join(tmp, `wants-${size}`);
  await migrate(state);
  const system = await startMiniflare({ port: await port(), persistTo: state });
  try {
    const { origin } = system;
    const notifications = await system.d1("NOTIFICATIONS_DB", "notifications");
    const catalog = await system.d1("CATALOG_DB", "catalog");

    const users = Math.ceil(size / WANTS_PER_USER);
    log(`W=${size}: signing up ${users} collectors`);
    const collectors = await pool(Array.from({ length: users }, (_, i) => i), 4, (i) => signUp(origin, `collector-${size}-${i}@oscillation.test`));
    // Their addresses, as auth's contact_updated leaves them, unless that event was quicker.
    for (const c of collectors) {
      await notifications.prepare("insert into contacts (user_id, email, version) values (?1, ?2, 0) on conflict do nothing").bind(c.id, c.email).run();
    }

    const wants = wantsOf(size);
    const savingStarted = Date.now();
    const saved = await pool(wants, 8, async (want, i) => {
      const collector = collectors[Math.floor(i / WANTS_PER_USER)];
      const res = await fetch(`${origin}/api/wants`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: collector.cookie },
        body: JSON.stringify(want),
      });
      await res.body?.cancel();
      return res.status;
    });
    const stored = (await notifications.prepare("select count(*) as n from wants").first()).n;
    log(`W=${size}: saved ${stored} wants (${saved.filter((s) => s === 201).length} new, ${saved.filter((s) => s === 200).length} repeated) in ${((Date.now() - savingStarted) / 1000).toFixed(1)} s`);

    const seller = await signUp(origin, `seller-${size}@oscillation.test`);
    const listed = [];
    const started = Date.now();
    for (const body of listingsToList(LISTINGS)) {
      const sent = performance.now();
      const res = await fetch(`${origin}/api/vinyls`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: seller.cookie },
        body: JSON.stringify(body),
      });
      const ms = performance.now() - sent;
      if (res.status !== 201) throw new Error(`listing answered ${res.status}: ${await res.text()}`);
      listed.push({ vinyl: await res.json(), ms, d1: parseD1(res.headers.get("server-timing")) });
    }
    log(`W=${size}: listed ${LISTINGS} records in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // Every listing's event applied by the notifications inbox.
    const deadline = Date.now() + 180_000;
    for (;;) {
      const { n } = await notifications.prepare("select count(*) as n from listings where seller_id = ?1").bind(seller.id).first();
      if (n === LISTINGS) break;
      if (Date.now() > deadline) throw new Error(`only ${n} of ${LISTINGS} listings reached notifications`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const appliedAt = Date.now();
    // And every alert sent (or given up): nothing left pending.
    for (;;) {
      const { n } = await notifications.prepare("select count(*) as n from emails where state in ('pending', 'sending')").first();
      if (n === 0) break;
      if (Date.now() > deadline) throw new Error(`${n} alerts still unsent`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const sentAt = Date.now();

    // Listed → applied: the listing's outbox row (catalog) to its inbox record (notifications).
    const ids = JSON.stringify(listed.map((l) => l.vinyl.id));
    const { results: outbox } = await catalog
      .prepare("select event_id, created_at from outbox where destination = 'notifications' and json_extract(body, '$.data.id') in (select value from json_each(?1))")
      .bind(ids)
      .all();
    const { results: inbox } = await notifications
      .prepare("select event_id, processed_at from inbox where event_id in (select value from json_each(?1))")
      .bind(JSON.stringify(outbox.map((r) => r.event_id)))
      .all();
    const processed = new Map(inbox.map((r) => [r.event_id, r.processed_at]));
    const lags = outbox.map((r) => processed.get(r.event_id) - r.created_at).filter((ms) => Number.isFinite(ms));

    // The lookup each listing cost, replayed with the consumer's query.
    const lookups = [];
    for (const { vinyl } of listed) {
      const result = await notifications.prepare(LOOKUP).bind(JSON.stringify(probesOf(vinyl)), Math.round(vinyl.price * 100), vinyl.userId).all();
      lookups.push({ candidates: result.results.length, rowsRead: result.meta.rows_read, ms: result.meta.duration });
    }
    const alerts = (await notifications.prepare("select count(*) as n from emails where kind = 'want_match'").first()).n;
    const sent = (await notifications.prepare("select count(*) as n from emails where kind = 'want_match' and state = 'sent'").first()).n;
    const scan = await notifications.prepare("select count(*) as n from wants where user_id <> ?1").bind(seller.id).all();

    return {
      wants: stored,
      listings: LISTINGS,
      listing: {
        p50: percentile(listed.map((l) => l.ms), 50),
        p99: percentile(listed.map((l) => l.ms), 99),
        trips: mean(listed.map((l) => l.d1?.trips ?? 0)),
        rowsRead: mean(listed.map((l) => l.d1?.rowsRead ?? 0)),
        rowsWritten: mean(listed.map((l) => l.d1?.rowsWritten ?? 0)),
      },
      lookup: {
        rowsRead: mean(lookups.map((l) => l.rowsRead)),
        maxRowsRead: Math.max(...lookups.map((l) => l.rowsRead)),
        candidates: mean(lookups.map((l) => l.candidates)),
        probes: mean(listed.map(({ vinyl }) => probesOf(vinyl).length)),
        ms: mean(lookups.map((l) => l.ms)),
        scanRowsRead: scan.meta.rows_read,
      },
      alerts: { written: alerts, sent, perListing: alerts / LISTINGS },
      lag: { p50: percentile(lags, 50), p99: percentile(lags, 99), measured: lags.length },
      applyAllMs: appliedAt - started,
      sendAllMs: sentAt - started,
    };
  } finally {
    await system.stop();
  }
}

const tmp = mkdtempSync(join(tmpdir(), "oscillation-wantlist-"));
const results = [];
try {
  for (const size of SIZES) results.push(await measure(size, tmp));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const f = (n, digits = 1) => (n == null ? "–" : n.toFixed(digits));
const lines = [
  `Wantlist: ${LISTINGS} records listed one after another by one seller, against W saved wants`,
  "",
  "| W wants | POST /api/vinyls p50 / p99 ms | its D1 trips, rows read | probes | candidates | lookup rows read: mean (max) | a scan's | lookup ms | alerts per listing | listed → applied p50 / p99 ms | all applied / all sent s |",
  "|---|---|---|---|---|---|---|---|---|---|---|",
  ...results.map(
    (r) =>
      `| ${r.wants} | ${f(r.listing.p50)} / ${f(r.listing.p99)} | ${f(r.listing.trips)}, ${f(r.listing.rowsRead)} | ${f(r.lookup.probes)} | ${f(r.lookup.candidates)} | ${f(r.lookup.rowsRead)} (${r.lookup.maxRowsRead}) | ${r.lookup.scanRowsRead} | ${f(r.lookup.ms, 2)} | ${f(r.alerts.perListing, 2)} | ${f(r.lag.p50, 0)} / ${f(r.lag.p99, 0)} | ${f(r.applyAllMs / 1000)} / ${f(r.sendAllMs / 1000)} |`,
  ),
];
console.log(lines.join("\n"));
console.log(`\n${JSON.stringify(results)}`);
