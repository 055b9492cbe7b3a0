import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { apiList, apiSeller } from "./api";
import { launchChromium } from "./chromium";
import { recordPhoto } from "../support/record-photo";
import { DOCS_SCREENSHOTS, holdSeconds, MODES, Shop } from "./shop";
import { badge, clickAndLoad, giveAddress, navLink, pressUntil, reloadUntil, signUpWithForm } from "./steps";
import { saveTally, tally } from "./tally";

const ORDER_PATH = /^\/orders\/[0-9a-f-]{36}$/;
const CHECKOUT_PATH = /^\/_sandbox\/stripe\/checkout\/cs_test_\w+$/;
const CLOCK = /^\d\d:\d\d$/;
/** Upload speed while the photo goes up, so that its progress can be seen moving. */
const UPLOAD_BYTES_PER_SECOND = 1_500_000;

const photo = recordPhoto();
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  saveTally(inject("tallyDir"), "sell-and-buy");
});

/** What each mode's seller lists through the form, and the record whose hold runs out. */
const RECORDS = {
  js: {
    listed: { title: "Blue Train", artist: "John Coltrane", year: "1957", label: "Blue Note" },
    expiring: { title: "Maiden Voyage", artist: "Herbie Hancock" },
  },
  "no-js": {
    listed: { title: "Speak No Evil", artist: "Wayne Shorter", year: "1966", label: "Blue Note" },
    expiring: { title: "Somethin' Else", artist: "Cannonball Adderley" },
  },
};

describe.each(MODES)("the shop $title", (mode) => {
  const records = RECORDS[mode.name];
  // Each run starts from an empty shop, so fixed addresses are free (and screenshots stable).
  const sellerEmail = `seller-${mode.name}@example.com`;
  const buyerEmail = `buyer-${mode.name}@example.com`;
  let listedId = "";
  let expiringId = "";
  let buyer: Shop | undefined;

  beforeAll(async () => {
    // Listed now, bought in the last journey: by then every Worker has long heard of it.
    expiringId = (await apiList(await apiSeller("expiring-seller"), { ...records.expiring, genre: "Jazz", price: 26 })).id;
  });

  afterAll(async () => {
    await buyer?.close();
  });

  it("a seller signs up, lists a record with a photo, edits its price and sees it in My listings", async () => {
    const seller = await Shop.open(browser, mode, "seller");
    const { page } = seller;
    await signUpWithForm(seller, sellerEmail);

    await navLink(page, "Sell").click();
    await page.waitForURL("**/vinyls/new");
    const form = page.getByRole("main");
    await form.getByRole("textbox", { name: "Title" }).fill(records.listed.title);
    await form.getByRole("textbox", { name: "Artist" }).fill(records.listed.artist);
    await form.getByRole("combobox", { name: "Genre" }).selectOption("Jazz");
    await form.getByRole("textbox", { name: "Format" }).fill("LP, mono");
    await form.getByRole("spinbutton", { name: "Year" }).fill(records.listed.year);
    await form.getByRole("textbox", { name: "Label" }).fill(records.listed.label);
    await form.getByRole("combobox", { name: "Media grade" }).selectOption("VG+");
    await form.getByRole("combobox", { name: "Sleeve grade" }).selectOption("VG");
    await form.getByRole("spinbutton", { name: "Price in US dollars" }).fill("48");
    await form.getByRole("textbox", { name: "Description" }).fill("Original pressing, deep groove. Plays through with light crackle.");
    // Shipping: from the US, $5.00 at home (the form's default) and $18.00 abroad, which the seller must decide.
    expect(await form.getByRole("combobox", { name: "Ships from" }).inputValue()).toBe("US");
    expect(await form.getByRole("spinbutton", { name: "Domestic shipping in US dollars" }).inputValue()).toBe("5.00");
    await form.getByRole("spinbutton", { name: "Shipping abroad in US dollars" }).fill("18");

    const file = form.getByRole("button", { name: "Add a photo" });
    if (mode.js) {
      // Every value the page gives the progress bar, recorded as it is set.
      const bar = form.getByRole("progressbar", { name: "Photo upload", includeHidden: true });
      await bar.evaluate((el: HTMLProgressElement) => {
        const trace: number[] = [];
        (window as unknown as { uploadTrace: number[] }).uploadTrace = trace;
        new MutationObserver(() => trace.push(el.value)).observe(el, { attributes: true, attributeFilter: ["value"] });
      });
      await seller.devtools.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: UPLOAD_BYTES_PER_SECOND,
      });
      await file.setInputFiles({ name: "blue-train.png", mimeType: "image/png", buffer: photo });
      const status = form.getByRole("status").filter({ hasText: /photo/i });
      expect(await status.textContent()).toBe("Uploading the photo…");
      // The bar moves while the bytes go up, visibly.
      await page.waitForFunction(() => {
        const trace = (window as unknown as { uploadTrace: number[] }).uploadTrace;
        return trace.some((v) => v > 0 && v < 100);
      });
      expect(await bar.isVisible()).toBe(true);
      if (DOCS_SCREENSHOTS) {
        // For the README, a bar well on its way.
        await page.waitForFunction(() => (window as unknown as { uploadTrace: number[] }).uploadTrace.some((v) => v >= 40 && v < 100));
        await seller.docsScreenshot("sell", bar);
      }
      await page.getByText("Photo uploaded.").waitFor();
      await seller.devtools.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
      const trace = await page.evaluate(() => (window as unknown as { uploadTrace: number[] }).uploadTrace);
      const between = [...new Set(trace.filter((v) => v > 0 && v < 100))];
      expect(between.length, `progress values ${trace.join(", ")}`).toBeGreaterThanOrEqual(2);
      expect(trace).toEqual([...trace].sort((a, b) => a - b));
      expect(trace.at(-1)).toBe(100);
      expect(await bar.isVisible()).toBe(false);
      expect(await form.getByRole("img", { name: "The photo that will be shown" }).isVisible()).toBe(true);
    } else {
      // Without JavaScript the photo goes with the form itself: nothing starts uploading.
      await file.setInputFiles({ name: "speak-no-evil.png", mimeType: "image/png", buffer: photo });
      expect(await form.getByRole("status").textContent()).toBe("");
    }
    await seller.check("sell-form");

    await form.getByRole("button", { name: "List the record" }).click();
    await page.waitForURL(/\/vinyls\/[0-9a-f-]{36}\?listed=1$/);
    listedId = new URL(page.url()).pathname.split("/")[2]!;
    const main = page.getByRole("main");
    expect(await main.getByRole("status").textContent()).toContain("Your record is listed.");
    expect(await main.getByRole("heading", { level: 1 }).textContent()).toBe(records.listed.title);
    expect(await main.getByText("Price: $48.00").count()).toBe(1);
    const cover = main.getByRole("img", { name: `Photo of “${records.listed.title}” by ${records.listed.artist}` });
    // The page shows a size catalog made of the photo (AVIF, chosen from srcset), not the original.
    const shown = () => cover.evaluate((img: HTMLImageElement) => ({ loaded: img.complete && img.naturalWidth > 0, src: img.currentSrc }));
    expect(await shown()).toEqual({ loaded: true, src: expect.stringMatching(/\/images\/[0-9a-f]{64}\.png\/(480|640|960)\.avif$/) });
    await seller.check("listed");

    await main.getByRole("link", { name: "Edit listing" }).click();
    await page.waitForURL(`**/vinyls/${listedId}/edit`);
    expect(await main.getByRole("spinbutton", { name: "Price in US dollars" }).inputValue()).toBe("48.00");
    await main.getByRole("spinbutton", { name: "Price in US dollars" }).fill("54.50");
    await seller.check("edit-form");
    await main.getByRole("button", { name: "Save changes" }).click();
    await page.waitForURL(`**/vinyls/${listedId}?saved=1`);
    expect(await main.getByRole("status").textContent()).toContain("Your changes are saved.");
    expect(await main.getByText("Price: $54.50").count()).toBe(1);
    // The photo stays through an edit that did not touch it.
    expect(await shown()).toEqual({ loaded: true, src: expect.stringMatching(/\/images\/[0-9a-f]{64}\.png\/(480|640|960)\.avif$/) });
    await seller.check("saved");

    await navLink(page, "My listings").click();
    await page.waitForURL("**/vinyls/mine");
    const row = main.getByRole("list", { name: "Your records" }).getByRole("listitem").filter({ hasText: records.listed.title });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toMatch(/Price: \$54\.50.*Available/s);
    expect(await row.getByRole("link", { name: `Edit “${records.listed.title}”` }).getAttribute("href")).toBe(`/vinyls/${listedId}/edit`);
    await seller.check("my-listings");

    await seller.close();
    tally.journeys++;
  });

  it("a buyer signs up, buys that record, watches the hold, pays in the checkout and sees it sold and complete", async () => {
    buyer = await Shop.open(browser, mode, "buyer");
    const { page } = buyer;
    const main = page.getByRole("main");
    await signUpWithForm(buyer, buyerEmail);

    await navLink(page, "Browse").click();
    await page.waitForURL("**/vinyls");
    await main.getByRole("searchbox", { name: "Search" }).fill(records.listed.title);
    await main.getByRole("button", { name: "Show records" }).click();
    await page.waitForURL(/\/vinyls\?q=/);
    await main.getByRole("link", { name: records.listed.title }).click();
    await page.waitForURL(`**/vinyls/${listedId}`);
    expect(await main.getByText("Price: $54.50").count()).toBe(1);
    await buyer.check("record-for-sale");

    await pressUntil(buyer, main.getByRole("button", { name: /Buy this record|Try again/ }), `/vinyls/${listedId}/buy`, (url) =>
      ORDER_PATH.test(url.pathname),
    );
    const orderPath = new URL(page.url()).pathname;
    expect(await main.getByRole("heading", { level: 1 }).textContent()).toBe(records.listed.title);
    expect(await badge(main, "Reserved for you").count()).toBe(1);
    const clock = main.getByText(CLOCK);
    const shown = (await clock.textContent())!.trim();
    const [minutes, seconds] = shown.split(":").map(Number);
    expect(minutes! * 60 + seconds!).toBeLessThanOrEqual(holdSeconds);
    expect(minutes! * 60 + seconds!).toBeGreaterThan(holdSeconds / 2);
    if (mode.js) {
      // The countdown runs by itself.
      await expect.poll(async () => (await clock.textContent())?.trim(), { timeout: 5_000 }).not.toBe(shown);
      expect((await clock.textContent())!.trim()).toMatch(CLOCK);
    }
    // Pay comes once the address is in: shipping depends on it.
    expect(await main.getByRole("button", { name: "Pay now" }).count()).toBe(0);
    await giveAddress(buyer);
    expect(await main.locator("[data-total]").textContent()).toBe("$59.50");
    expect(await main.getByRole("button", { name: "Pay now" }).isVisible()).toBe(true);
    await buyer.check("order", { docs: "order" });

    await pressUntil(buyer, main.getByRole("button", { name: "Pay now" }), `${orderPath}/pay`, (url) => CHECKOUT_PATH.test(url.pathname));
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(records.listed.title);
    expect(await page.getByRole("row", { name: "Shipping $5.00" }).count()).toBe(1);
    await buyer.check("checkout", { landmarks: "main" });
    await page.getByRole("textbox", { name: "Card number" }).fill("4242 4242 4242 4242");
    await page.getByRole("button", { name: "Pay $59.50" }).click();
    await page.waitForURL((url) => url.pathname === "/orders/complete");
    expect(await main.getByRole("heading", { level: 1 }).textContent()).toBe("Paid — thank you");
    expect(await main.getByRole("status").first().textContent()).toContain(`Your payment is received for “${records.listed.title}”`);
    await buyer.check("paid", { docs: "paid" });

    await main.getByRole("link", { name: "See the order" }).click();
    await page.waitForURL(`**${orderPath}`);
    await reloadUntil(buyer, async () => (await badge(main, "Paid").count()) === 1, "the order paid");
    expect(await main.getByText("Paid. The record is yours").count()).toBe(1);
    expect(await main.getByText(CLOCK).count()).toBe(0);
    expect(await main.getByRole("button", { name: "Pay now" }).count()).toBe(0);
    await buyer.check("order-paid");

    await main.getByRole("heading", { level: 1 }).getByRole("link").click();
    await page.waitForURL(`**/vinyls/${listedId}`);
    await reloadUntil(buyer, async () => (await badge(main, "Sold").count()) === 1, "the record sold");
    expect(await main.getByRole("status").textContent()).toContain("You bought this record.");
    expect(await main.getByRole("button", { name: "Buy this record" }).count()).toBe(0);
    await buyer.check("record-sold");

    await navLink(page, "My orders").click();
    await page.waitForURL("**/orders");
    const row = main.getByRole("listitem").filter({ has: page.getByRole("link", { name: `Order for ${records.listed.title}` }) });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toMatch(/Price: \$54\.50.*Paid/s);
    await buyer.check("my-orders");

    buyer.assertClean();
    tally.journeys++;
  });

  it("a declined card leaves the order unpaid; the hold then expires and the record is back on sale", async () => {
    expect(buyer, "the buyer of the previous journey").toBeDefined();
    const shop = buyer!;
    const { page } = shop;
    const main = page.getByRole("main");

    await shop.goto(`/vinyls/${expiringId}`);
    await pressUntil(shop, main.getByRole("button", { name: /Buy this record|Try again/ }), `/vinyls/${expiringId}/buy`, (url) =>
      ORDER_PATH.test(url.pathname),
    );
    const orderPath = new URL(page.url()).pathname;
    await giveAddress(shop);
    await pressUntil(shop, main.getByRole("button", { name: "Pay now" }), `${orderPath}/pay`, (url) => CHECKOUT_PATH.test(url.pathname));

    await page.getByRole("textbox", { name: "Card number" }).fill("4000 0000 0000 0002");
    shop.expectStatus(402, "/_sandbox/stripe/checkout/");
    await clickAndLoad(page, page.getByRole("button", { name: "Pay $31.00" }));
    expect(await page.getByRole("alert").textContent()).toBe("Your card was declined.");
    expect(await page.getByRole("textbox", { name: "Card number" }).getAttribute("aria-invalid")).toBe("true");
    await shop.check("checkout-declined", { landmarks: "main" });

    // Back to the shop: nothing was paid, the record is still held (awaiting payment once
    // the checkout's start has reached the orders Worker).
    await shop.goto(orderPath);
    await reloadUntil(shop, async () => (await badge(main, "Awaiting payment").count()) === 1, "the order awaiting payment");
    expect(await main.getByText(CLOCK).count()).toBe(1);
    await shop.check("order-unpaid");

    const expired = () => badge(main, "Hold expired").count().then((n) => n === 1);
    if (mode.js) {
      // The countdown reaches zero by itself, takes Pay away and offers a refresh.
      await main.getByText("expired", { exact: true }).waitFor({ timeout: (holdSeconds + 10) * 1000 });
      expect(await main.getByRole("button", { name: "Pay now" }).isVisible()).toBe(false);
      const refresh = main.getByRole("link", { name: "Refresh to see the order's state" });
      // The hold's expiry reaches the order a moment after zero.
      const deadline = Date.now() + 15_000;
      while (!(await expired())) {
        if (Date.now() > deadline) throw new Error("the order never showed as expired");
        await refresh.waitFor();
        await clickAndLoad(page, refresh);
      }
    } else {
      await reloadUntil(shop, expired, "the order expired", (holdSeconds + 15) * 1000);
    }
    expect(await main.getByText("The hold ran out before the order was paid").count()).toBe(1);
    expect(await main.getByRole("button", { name: "Pay now" }).count()).toBe(0);
    expect(await main.getByRole("button", { name: "Cancel order" }).count()).toBe(0);
    await shop.check("order-expired");

    await main.getByRole("heading", { level: 1 }).getByRole("link").click();
    await page.waitForURL(`**/vinyls/${expiringId}`);
    await reloadUntil(shop, async () => (await badge(main, "Available").count()) === 1, "the record back on sale");
    expect(await main.getByRole("button", { name: "Buy this record" }).isVisible()).toBe(true);
    expect(await main.getByText("For sale now.").count()).toBe(1);
    await shop.check("record-back-on-sale");

    shop.assertClean();
    tally.journeys++;
  });
});
