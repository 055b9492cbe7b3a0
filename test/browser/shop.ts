import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, CDPSession, Locator, Page } from "playwright-core";
import { expect, inject } from "vitest";
import { auditPage, type Landmarks } from "./audit";
import { tally } from "./tally";

export const base = inject("baseUrl");
export const holdSeconds = inject("holdSeconds");
const artifacts = inject("artifactsDir");
const ROOT = new URL("../..", import.meta.url).pathname;

/** Whether the screenshots in docs/ are written again (`npm run screenshots`). */
export const DOCS_SCREENSHOTS = process.env.SCREENSHOTS === "docs";

export type Mode = { name: "js" | "no-js"; js: boolean; title: string };

export const MODES: Mode[] = [
  { name: "js", js: true, title: "with JavaScript" },
  { name: "no-js", js: false, title: "without JavaScript" },
];

export type CheckOptions = {
  landmarks?: Landmarks;
  /** Also write this page to docs/screenshots/<name>.png (JavaScript on, `npm run screenshots`). */
  docs?: string;
};

let shot = 0;

/**
 * One visitor's browser: its own context (cookies), one page, and everything that page
 * reports. Every console error, uncaught page error and failed or error answer from the
 * shop's origin is a problem unless a journey said it expects that answer; `check()` fails
 * on any, then audits the page and keeps a screenshot.
 */
export class Shop {
  private problems: string[] = [];
  private allowed: { status: number; path: string }[] = [];

  private constructor(
    readonly mode: Mode,
    readonly who: string,
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly cdp: CDPSession,
  ) {
    context.on("console", (message) => {
      if (message.type() !== "error") return;
      const url = message.location().url;
      if (this.allowed.some((a) => url.startsWith(base + a.path) && message.text().includes(`status of ${a.status}`))) return;
      this.problem(`console error: ${message.text()} (${url})`);
    });
    context.on("weberror", (error) => this.problem(`page error: ${error.error().message}`));
    context.on("requestfailed", (request) => {
      const failure = request.failure()?.errorText ?? "";
      // Chromium aborts what is still loading when the page navigates away: not a failure.
      if (request.url().startsWith(base) && failure !== "net::ERR_ABORTED") {
        this.problem(`request failed: ${request.method()} ${request.url()} ${failure}`);
      }
    });
    context.on("response", (response) => {
      const url = response.url();
      if (!url.startsWith(base) || response.status() < 400) return;
      if (this.allowed.some((a) => a.status === response.status() && url.startsWith(base + a.path))) {
        tally.expectedErrors++;
        return;
      }
      this.problem(`${response.status()} from ${response.request().method()} ${url}`);
    });
  }

  static async open(browser: Browser, mode: Mode, who: string): Promise<Shop> {
    const context = await browser.newContext({
      javaScriptEnabled: mode.js,
      viewport: { width: 1280, height: 800 },
      baseURL: base,
      reducedMotion: "reduce",
    });
    // Waits that know they take longer say so; anything else is stuck.
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    return new Shop(mode, who, context, page, cdp);
  }

  private problem(text: string) {
    tally.consoleErrors++;
    this.problems.push(`${this.who} (${this.mode.name}): ${text}`);
  }

  /** The page is about to answer `status` for a path starting `path` on purpose; allowed until the next check. */
  expectStatus(status: number, path: string) {
    this.allowed.push({ status, path });
  }

  /** Chrome DevTools Protocol on this page (network throttling). */
  get devtools(): CDPSession {
    return this.cdp;
  }

  async goto(path: string) {
    await this.page.goto(path);
  }

  /** No unexpected console error, page error or failed request so far. */
  assertClean() {
    expect(this.problems, "console errors, page errors and failed requests").toEqual([]);
  }

  /** Checks the page as it is now: problems so far, its images, then its title, landmarks, names and focus; keeps a screenshot. */
  async check(name: string, options: CheckOptions = {}) {
    await this.page.waitForLoadState("load");
    await this.imagesInView();
    this.assertClean();
    this.allowed = [];
    // An image without a source (the sell form's preview before a photo is chosen) is not broken.
    const broken = await this.page.evaluate(() =>
      [...document.images].filter((img) => img.getAttribute("src") && img.complete && img.naturalWidth === 0).map((img) => img.src),
    );
    expect(broken, `images the browser could not show on ${name}`).toEqual([]);

    const dir = join(artifacts, this.mode.name);
    mkdirSync(dir, { recursive: true });
    shot++;
    await this.blur();
    await this.page.screenshot({ path: join(dir, `${String(shot).padStart(2, "0")}-${this.who}-${name}.png`), fullPage: true });
    tally.screenshots++;
    if (options.docs) await this.docsScreenshot(options.docs);

    const result = await auditPage(this.page, this.cdp, options.landmarks ?? "shop");
    tally.pages++;
    tally.a11yChecks += result.checks;
    tally.namedControls += result.namedControls;
    tally.focusStops += result.focusStops;
    expect(result.failures, `accessibility of ${name} (${this.page.url()})`).toEqual([]);
  }

  /**
   * Writes docs/screenshots/<name>.png of the page as it is now (only for `npm run
   * screenshots`, JavaScript on), with `scrollTo` in view when given.
   */
  async docsScreenshot(name: string, scrollTo?: Locator) {
    if (!DOCS_SCREENSHOTS || !this.mode.js) return;
    await this.blur();
    if (scrollTo) await scrollTo.evaluate((el) => el.scrollIntoView({ block: "center" }));
    mkdirSync(join(ROOT, "docs/screenshots"), { recursive: true });
    await this.page.screenshot({ path: join(ROOT, "docs/screenshots", `${name}.png`) });
  }

  /**
   * Waits until every image in view has loaded or failed. Images further down load lazily
   * (with JavaScript on) and are not waited for; what loads is what the screenshots show.
   */
  private async imagesInView() {
    const pending = () =>
      this.page.evaluate(() =>
        [...document.images]
          .filter((img) => {
            const box = img.getBoundingClientRect();
            return !img.complete && box.bottom > 0 && box.top < innerHeight && box.width > 0;
          })
          .map((img) => img.src),
      );
    await expect.poll(pending, { timeout: 10_000 }).toEqual([]);
  }

  /** No focus ring from the last field typed into in a screenshot. */
  private async blur() {
    await this.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  }

  async close() {
    this.assertClean();
    await this.context.close();
  }
}
