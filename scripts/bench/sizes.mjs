// Sizes that do not need load: each Worker's bundle and startup time, and the JavaScript
// and CSS each storefront page makes a browser load.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DEV_ONLY, ROOT, SERVICES, STOREFRONT_BUILT_CONFIG, toolEnv, workerConfig } from "../lib/workers.mjs";

const WORKERS = [
  { name: "storefront", config: STOREFRONT_BUILT_CONFIG },
  ...[...SERVICES, ...DEV_ONLY].map(({ name }) => ({ name, config: workerConfig(name) })),
];

function output(cmd, args, cwd = ROOT) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...toolEnv(), NO_COLOR: "1", FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (d) => (text += d));
    child.stderr.on("data", (d) => (text += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}\n${text.slice(-2000)}`))));
  });
}

const kib = (text) => Number(text) * 1024;

/**
 * For each Worker: its upload size as `wrangler deploy --dry-run` reports it (raw and gzip),
 * and its startup as `wrangler check startup` measures it on that bundle (the median of
 * `runs`; "Active" CPU time of the startup phase). Both run offline.
 */
export async function workerSizes(tmp, { runs = 3 } = {}) {
  const out = [];
  for (const { name, config } of WORKERS) {
    const bundle = join(tmp, `${name}.bundle`);
    const dry = await output("wrangler", ["deploy", "--dry-run", "-c", config, "--outfile", bundle]);
    const upload = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(dry);
    const startups = [];
    for (let i = 0; i < runs; i++) {
      // From the temporary folder, so no wrangler config or build redirect is picked up.
      const check = await output("wrangler", ["check", "startup", "--worker", bundle, "--outfile", join(tmp, `${name}.cpuprofile`)], tmp);
      const active = /Active:\s*([\d.]+)\s*ms/.exec(check);
      if (active) startups.push(Number(active[1]));
    }
    startups.sort((a, b) => a - b);
    out.push({
      worker: name,
      bytes: upload ? Math.round(kib(upload[1])) : null,
      gzipBytes: upload ? Math.round(kib(upload[2])) : null,
      startupMs: startups.length ? startups[Math.floor(startups.length / 2)] : null,
      startupRuns: startups,
    });
  }
  return out;
}

const gz = (text) => gzipSync(Buffer.from(text), { level: 9 }).length;

/**
 * The JavaScript and CSS a browser loads for a page: inline `<script>` and `<style>` bodies
 * and every linked script, module preload and stylesheet, each gzipped (level 9) on its own.
 */
export async function pageAssets(origin, path) {
  const res = await fetch(new URL(path, origin));
  const html = await res.text();
  const result = { page: path, status: res.status, htmlGzipBytes: gz(html), jsGzipBytes: 0, cssGzipBytes: 0, files: [] };
  const tags = (pattern) => [...html.matchAll(pattern)];
  for (const [, attrs, body] of tags(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (/type\s*=\s*["']?application\/(ld\+)?json/i.test(attrs)) continue;
    const src = /\bsrc\s*=\s*["']([^"']+)["']/i.exec(attrs)?.[1];
    if (!src && body.trim()) result.jsGzipBytes += gz(body);
    if (src) result.files.push({ kind: "js", url: src });
  }
  for (const [, body] of tags(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) result.cssGzipBytes += gz(body);
  for (const [tag] of tags(/<link\b[^>]*>/gi)) {
    const href = /\bhref\s*=\s*["']([^"']+)["']/i.exec(tag)?.[1];
    const rel = /\brel\s*=\s*["']?([^"'\s>]+)/i.exec(tag)?.[1]?.toLowerCase();
    if (!href) continue;
    if (rel === "stylesheet") result.files.push({ kind: "css", url: href });
    if (rel === "modulepreload") result.files.push({ kind: "js", url: href });
  }
  // The same file linked twice is loaded once.
  result.files = result.files.filter((f, i, all) => all.findIndex((g) => g.url === f.url) === i);
  for (const file of result.files) {
    const body = await fetch(new URL(file.url, new URL(path, origin))).then((r) => r.text());
    file.gzipBytes = gz(body);
    if (file.kind === "js") result.jsGzipBytes += file.gzipBytes;
    else result.cssGzipBytes += file.gzipBytes;
  }
  return result;
}
