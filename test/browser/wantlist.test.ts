import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { apiList, apiSeller } from "./api";
import { launchChromium } from "./chromium";
import { MODES, Shop } from "./shop";
import { clickAndLoad, navLink, reloadUntil, signUpWithForm } from "./steps";
import { saveTally, tally } from "./tally";

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  saveTally(inject("tallyDir"), "wantlist");
});


describe.each(MODES)("a collector $title", (mode) => {
  it("saves a search, another user lists a matching record, the email arrives in the local mailbox and its link opens the record", async () => {
    const word = `Vesper${mode.name === "js" ? "js" : "nojs"}${crypto.randomUUID().slice(0, 4)}`;
    const email = `collector-${mode.name}-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const collector = await Shop.open(browser, mode, "collector");
    const { page } = collector;
    await signUpWithForm(collector, email);

    // Browse with words and a genre, then keep the search.
    await navLink(page, "Browse").click();
    await page.waitForURL((url) => url.pathname === "/vinyls");
    const search = page.getByRole("search", { name: "Records" });
    await search.getByRole("searchbox", { name: "Search" }).fill(word);
    await search.getByRole("combobox", { name: "Genre" }).selectOption("Jazz");
    await clickAndLoad(page, search.getByRole("button", { name: "Show records" }));
    const save = page.getByRole("region", { name: "Save this search" });
    expect(await save.textContent()).toContain(`“${word}”, Jazz`);
    await collector.check("browse-save-search");
    await clickAndLoad(page, save.getByRole("button", { name: "Save this search" }));
    expect(new URL(page.url()).pathname).toBe("/wants");
    expect(await page.getByRole("status").textContent()).toContain(`Saved: “${word}”, Jazz.`);
    expect(await page.getByRole("list", { name: "Your wants" }).textContent()).toContain(`“${word}”, Jazz`);
    await collector.check("wantlist");

    // Someone else lists a record that matches.
    const title = `The ${word} Sessions`;
    const vinyl = await apiList(await apiSeller("wanted-seller"), { title, artist: "Ola Brandt Trio", genre: "Jazz", price: 28 });

    // The alert, in the local mailbox.
    await collector.goto(`/_dev/mailbox?to=${encodeURIComponent(email)}`);
    await reloadUntil(collector, async () => (await page.getByRole("heading", { name: `Just listed: ${title}` }).count()) > 0, "the wantlist email");
    await collector.check("mailbox", { landmarks: "main" });
    const message = page.getByRole("article", { name: `Just listed: ${title}` });
    expect(await message.textContent()).toContain(`It matches a want on your wantlist: “${word}”, Jazz.`);

    // Its link opens the record.
    await clickAndLoad(page, message.getByRole("link", { name: new RegExp(`/vinyls/${vinyl.id}$`) }));
    expect(new URL(page.url()).pathname).toBe(`/vinyls/${vinyl.id}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(title);
    await collector.check("record-from-email");

    // And the want can go.
    await collector.goto("/wants");
    await clickAndLoad(page, page.getByRole("button", { name: new RegExp(`^Delete the want “${word}”`) }));
    expect(await page.getByRole("status").textContent()).toContain("The want is deleted");
    await collector.check("wantlist-deleted");
    await collector.close();
    tally.journeys++;
  });
});
