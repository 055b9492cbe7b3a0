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
