import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { apiList, apiSeller, type NewVinyl } from "./api";
import { launchChromium } from "./chromium";
import { MODES, Shop, base } from "./shop";
import { saveTally, tally } from "./tally";

// An artist of this journey's own beside the demo catalog, so each filter has a record it
// must keep and one it must leave out.
const ARTIST = "Ida Marten Quintet";
const RECORDS: NewVinyl[] = [
  {
    title: "Night Shelf",
    genre: "Jazz",
    price: 40,
    mediaCondition: "NM",
    sleeveCondition: "VG+",
    year: 1963,
    label: "Prestige",
    format: "LP",
    description: "Late-night session, first pressing. Quiet vinyl, a faint ring on the sleeve.",
  },
  { title: "Slow Burn", genre: "Jazz", price: 35, mediaCondition: "VG", sleeveCondition: "VG" },
  { title: "Early Hours", genre: "Jazz", price: 75, mediaCondition: "VG+", sleeveCondition: "VG+" },
  { title: "Late Set", genre: "Jazz", price: 120, mediaCondition: "VG+", sleeveCondition: "NM" },
  { title: "Side Door", genre: "Soul", price: 30, mediaCondition: "NM", sleeveCondition: "NM" },
].map((r) => ({ ...r, artist: ARTIST }));

/** The record titles in the page's result list. */
async function results(page: Page, list = "Records") {
  const titles = await page.getByRole("list", { name: list, exact: true }).getByRole("heading").allTextContents();
  return titles.map((t) => t.trim());
}

let browser: Browser;

beforeAll(async () => {
  const seller = await apiSeller("browse-seller");
  for (const record of RECORDS) await apiList(seller, record);
  // Anonymous pages are cached at the edge for a few seconds, and the other journeys may have
  // visited them before these records existed: a visitor sees the records once the copies renew.
  await vi.waitFor(
    async () => {
      for (const [path, title] of [["/", "Side Door"], ["/vinyls?genre=Jazz", "Night Shelf"]] as const) {
        const html = await (await fetch(`${base}${path}`)).text();
        if (!html.includes(title)) throw new Error(`${path} does not show "${title}" yet`);
      }
    },
    { timeout: 30_000, interval: 250 },
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  saveTally(inject("tallyDir"), "browse");
});

describe.each(MODES)("a visitor $title", (mode) => {
  it("browses the home page, opens a genre shelf, searches by artist, filters by grade and price and opens a record", async () => {
    const visitor = await Shop.open(browser, mode, "visitor");
    const { page } = visitor;

    await visitor.goto("/");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain("Records from people who love them");
    expect(await results(page, "Newest records")).toContain("Side Door");
    await visitor.check("home", { docs: "home" });

    await page.getByRole("link", { name: "Jazz records" }).click();
    await page.waitForURL("**/vinyls?genre=Jazz");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Jazz records");
    const shelf = await results(page);
    expect(shelf).toEqual(expect.arrayContaining(["Night Shelf", "Slow Burn", "Early Hours", "Late Set", "Kind of Blue"]));
    expect(shelf).not.toContain("Side Door");
    await visitor.check("genre-shelf");

    const search = page.getByRole("search", { name: "Records" });
    await search.getByRole("searchbox", { name: "Search" }).fill(ARTIST);
    await search.getByRole("button", { name: "Show records" }).click();
    await page.waitForURL(/q=Ida/);
    expect(await page.getByText("Showing records matching").textContent()).toBe(`Showing records matching “${ARTIST}”, Jazz.`);
    expect((await results(page)).sort()).toEqual(["Early Hours", "Late Set", "Night Shelf", "Slow Burn"]);
    await visitor.check("search");

    await search.getByRole("combobox", { name: "Minimum media grade" }).selectOption("VG+");
    await search.getByRole("spinbutton", { name: "From" }).fill("20");
    await search.getByRole("spinbutton", { name: "To" }).fill("100");
    await search.getByRole("button", { name: "Show records" }).click();
    await page.waitForURL(/maxPrice=100/);
    expect(await page.getByText("Showing records matching").textContent()).toBe(
      `Showing records matching “${ARTIST}”, Jazz, VG+ Very Good Plus or better, $20.00 to $100.00.`,
    );
    // Slow Burn is graded below VG+, Late Set costs more than $100.
    expect((await results(page)).sort()).toEqual(["Early Hours", "Night Shelf"]);
    expect(await search.getByRole("spinbutton", { name: "To" }).inputValue()).toBe("100");
    await visitor.check("browse-filtered", { docs: "browse" });

    await page.getByRole("link", { name: "Night Shelf" }).click();
    await page.waitForURL(/\/vinyls\/[0-9a-f-]{36}$/);
    expect(await page.title()).toBe(`Night Shelf by ${ARTIST} · Oscillation`);
    const main = page.getByRole("main");
    expect(await main.getByRole("heading", { level: 1 }).textContent()).toBe("Night Shelf");
    expect(await main.getByRole("paragraph").filter({ hasText: ARTIST }).count()).toBe(1);
    expect(await main.getByText("Price: $40.00").count()).toBe(1);
    expect(await main.getByText("NM Near Mint", { exact: true }).count()).toBe(1);
    expect(await main.getByText("Prestige", { exact: true }).count()).toBe(1);
    expect(await main.getByRole("button", { name: "Buy this record" }).isVisible()).toBe(true);
    await visitor.check("record", { docs: "record" });

    await visitor.close();
    tally.journeys++;
  });
});

describe("a generated cover", () => {
  it("draws any title as an image, and opened on its own is a picture that runs nothing", async () => {
    const visitor = await Shop.open(browser, MODES[0]!, "visitor");
    const { page } = visitor;
    await visitor.goto("/vinyls");
    const src = await page.getByRole("img", { name: /^Generated cover for “Night Shelf”/ }).getAttribute("src");
    const url = new URL(src!, base);
    const hostile = `<script>alert(1)</script>&"'\u0007 </svg><img src=x onerror=alert(2)>`;
    url.search = new URLSearchParams({ title: hostile, artist: "<b>Quotes \"'&</b>" }).toString();

    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const res = await page.goto(url.href);
    expect(res?.status()).toBe(200);
    expect(res?.headers()["content-security-policy"]).toContain("default-src 'none'");
    // An SVG document with the title as text: no parse error, no element made from it.
    expect(await page.evaluate(() => document.documentElement.localName)).toBe("svg");
    expect(await page.evaluate(() => document.querySelectorAll("parsererror, script, img, b").length)).toBe(0);
    expect(await page.evaluate(() => [...document.querySelectorAll("tspan, text")].map((t) => t.textContent).join(" "))).toContain("<script>");

    // In a page it is an image like any other, its size its own.
    await visitor.goto("/vinyls");
    const size = await page.evaluate(async (href) => {
      const img = new Image();
      img.src = href;
      await img.decode();
      return [img.naturalWidth, img.naturalHeight];
    }, url.href);
    expect(size).toEqual([300, 300]);
    expect(dialogs).toEqual([]);
    await visitor.close();
  });
});
