import { existsSync } from "node:fs";
import sparticuz from "@sparticuz/chromium";
import { chromium, type Browser } from "playwright-core";

/** A system Chromium, used when present; Playwright's own browser download is not used. */
const SYSTEM_CHROMIUM = "/usr/bin/chromium";

/**
 * The Chromium to drive: `CHROMIUM_PATH` when set, else the system's, else the headless
 * Chromium that `@sparticuz/chromium` carries inside the npm package (unpacked to the temp
 * directory on first use), so `npm install` is all the set-up a fresh machine needs.
 */
export async function chromiumPath(): Promise<string> {
  const given = process.env.CHROMIUM_PATH;
  if (given) {
    if (!existsSync(given)) throw new Error(`CHROMIUM_PATH points at ${given}, which does not exist.`);
    return given;
  }
  if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  return sparticuz.executablePath();
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
