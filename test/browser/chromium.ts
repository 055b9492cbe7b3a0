import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";

/** A system Chromium, used when present; Playwright's own browser download is not used. */
const SYSTEM_CHROMIUM = "/usr/bin/chromium";
const ROOT = new URL("../..", import.meta.url).pathname;
/** Where the npm package's Chromium is unpacked, once per package version. */
const CACHE = join(ROOT, "node_modules/.cache/oscillation-chromium");

/**
 * The Chromium to drive: `CHROMIUM_PATH` when set, else the system's, else the headless
 * Chromium that `@sparticuz/chromium` carries inside the npm package, so `npm install` is
 * all the set-up a fresh machine needs.
 */
export async function chromiumPath(): Promise<string> {
  const given = process.env.CHROMIUM_PATH;
  if (given) {
    if (!existsSync(given)) throw new Error(`CHROMIUM_PATH points at ${given}, which does not exist.`);
    return given;
  }
  if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  return unpackNpmChromium();
}

/**
 * Unpacks the package's brotli-compressed Chromium into node_modules/.cache. Left to
 * itself the package unpacks into `os.tmpdir()`, shared by every project and user of the
 * machine, and uses whatever it finds there: another version's binary, or one another run
 * is still writing. So it is pointed at a fresh folder of ours for the call, which is then
 * renamed into place whole, under the package's version.
 */
async function unpackNpmChromium(): Promise<string> {
  const { version } = JSON.parse(readFileSync(join(ROOT, "node_modules/@sparticuz/chromium/package.json"), "utf8")) as { version: string };
  const target = join(CACHE, version);
  const binary = join(target, "chromium");
  if (existsSync(binary)) return binary;

  mkdirSync(CACHE, { recursive: true });
  const scratch = mkdtempSync(join(CACHE, `${version}-`));
  const tmpdir = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  try {
    const { default: sparticuz } = await import("@sparticuz/chromium");
    await sparticuz.executablePath();
  } finally {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
  }
  try {
    renameSync(scratch, target);
  } catch (error) {
    // Another run unpacked it first: theirs is as good as ours.
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(binary)) throw error;
  }
  return binary;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumPath(),
    headless: true,
    // Our own flags, not the package's serverless ones (which turn web security off): no
    // sandbox because CI containers run as root; the rest keeps Chromium from calling home.
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
}
