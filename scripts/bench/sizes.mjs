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

/** The browser the page weights are judged for: a laptop 1280 CSS px wide at twice the pixel density, which takes AVIF. */
export const VIEWPORT = { width: 1280, dpr: 2 };

const ENTITIES = { "&amp;": "&", "&quot;": '"', "&#39;": "'", "&lt;": "<", "&gt;": ">" };
/** An attribute's value as the browser reads it (the entities pages escape in URLs decoded). */
const attr = (tag, name) =>
  new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`, "i").exec(tag)?.[1]?.replace(/&(amp|quot|#39|lt|gt);/g, (e) => ENTITIES[e]);

/** The slot width in CSS px that `sizes` gives at `viewport` (min-width conditions, px and vw lengths). */
export function slotWidth(sizes, viewport = VIEWPORT) {
  for (const part of (sizes ?? "100vw").split(",").map((p) => p.trim())) {
    const match = /^(?:\(min-width:\s*(\d+)px\)\s+)?(\d+(?:\.\d+)?)(px|vw)$/.exec(part);
    if (!match) continue;
    const [, min, length, unit] = match;
    if (min && viewport.width < Number(min)) continue;
    return unit === "vw" ? (Number(length) * viewport.width) / 100 : Number(length);
  }
  return viewport.width;
}

/** The `srcset` candidate a browser picks for a slot: the narrowest at least as wide as it needs, else the widest. */
export function pickCandidate(srcset, sizes, viewport = VIEWPORT) {
  const candidates = srcset
    .split(",")
    .map((c) => c.trim().split(/\s+/))
    .map(([url, w]) => ({ url, width: Number(w?.replace(/w$/, "")) || 0 }))
    .sort((a, b) => a.width - b.width);
  const needed = slotWidth(sizes, viewport) * viewport.dpr;
  return candidates.find((c) => c.width >= needed) ?? candidates.at(-1);
}

/**
 * The images of a page: for each `<picture>`, the AVIF source's candidate `pickCandidate`
 * chooses (every candidate it offers is listed too); for each other `<img>`, its `src`.
 */
export function pageImages(html) {
  const images = [];
  const pictures = [...html.matchAll(/<picture\b[^>]*>([\s\S]*?)<\/picture>/gi)];
  for (const [, inner] of pictures) {
    const source = /<source\b[^>]*type="image\/avif"[^>]*>/i.exec(inner)?.[0];
    const img = /<img\b[^>]*>/i.exec(inner)?.[0];
    const srcset = source && attr(source, "srcset");
    const chosen = srcset ? pickCandidate(srcset, attr(source, "sizes")).url : attr(img ?? "", "src");
    const offered = [...(srcset ? srcset.split(",").map((c) => c.trim().split(/\s+/)[0]) : []), attr(img ?? "", "src")].filter(Boolean);
    if (chosen) images.push({ url: chosen, offered });
  }
  const outside = html.replace(/<picture\b[^>]*>[\s\S]*?<\/picture>/gi, "");
  for (const [tag] of outside.matchAll(/<img\b[^>]*>/gi)) {
    const src = attr(tag, "src");
    if (src) images.push({ url: src, offered: [src] });
  }
  return images;
}

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
  // Images travel as they are (already compressed): the bytes of each one the browser loads,
  // and the largest of every size the page offers, whichever screen picks it.
  const sizeOf = async (url) => (await (await fetch(new URL(url, new URL(path, origin)))).arrayBuffer()).byteLength;
  const bytesOf = new Map();
  const measured = async (url) => {
    if (!bytesOf.has(url)) bytesOf.set(url, await sizeOf(url));
    return bytesOf.get(url);
  };
  result.images = [];
  for (const image of pageImages(html)) {
    const bytes = await measured(image.url);
    let largestOffered = bytes;
    for (const url of image.offered) largestOffered = Math.max(largestOffered, await measured(url));
    result.images.push({ url: image.url, bytes, largestOffered, photo: image.offered.length > 1 });
  }
  return result;
}
