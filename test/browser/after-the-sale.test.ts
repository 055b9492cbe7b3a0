import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";
import { MODES, Shop } from "./shop";
import { ADDRESS, badge, clickAndLoad, giveAddress, navLink, pressUntil, reloadUntil, signUpWithForm } from "./steps";
import { saveTally, tally } from "./tally";

const ORDER_PATH = /^\/orders\/[0-9a-f-]{36}$/;
const CHECKOUT_PATH = /^\/_sandbox\/stripe\/checkout\/cs_test_\w+$/;

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  saveTally(inject("tallyDir"), "after-the-sale");
});

const RECORDS = {
  js: { title: "Pastel Blues", artist: "Nina Simone", price: 32 },
  "no-js": { title: "Lady in Satin", artist: "Billie Holiday", price: 41 },
};

describe.each(MODES)("after the sale $title", (mode) => {
  const record = RECORDS[mode.name];
  const total = `$${(record.price + 5).toFixed(2)}`;
  const sellerName = `crate-digger-${mode.name}`;
  let seller: Shop;
  let buyer: Shop;
  let vinylId = "";
  let orderPath = "";

  afterAll(async () => {
    await seller?.close();
    await buyer?.close();
  });

  it("a buyer gives an address before paying, is told where the seller does not ship, sees price + shipping = total and pays it", async () => {
    seller = await Shop.open(browser, mode, "seller");
    await signUpWithForm(seller, `after-seller-${mode.name}@example.com`, sellerName);
    // Listed through the sell form, shipping from the US at $5.00, not abroad.
    await navLink(seller.page, "Sell").click();
    await seller.page.waitForURL("**/vinyls/new");
    const sell = seller.page.getByRole("main");
    await sell.getByRole("textbox", { name: "Title" }).fill(record.title);
    await sell.getByRole("textbox", { name: "Artist" }).fill(record.artist);
    await sell.getByRole("combobox", { name: "Genre" }).selectOption("Jazz");
    await sell.getByRole("spinbutton", { name: "Price in US dollars" }).fill(String(record.price));
    expect(await sell.getByRole("combobox", { name: "Ships from" }).inputValue()).toBe("US");
    await sell.getByRole("spinbutton", { name: "Domestic shipping in US dollars" }).fill("5");
    await sell.getByRole("checkbox", { name: "Does not ship abroad" }).check();
    await sell.getByRole("button", { name: "List the record" }).click();
    await seller.page.waitForURL(/\/vinyls\/[0-9a-f-]{36}\?listed=1$/);
    vinylId = new URL(seller.page.url()).pathname.split("/")[2]!;
    // The record links to its seller's page ("You" to the seller) once catalog has heard of the new profile.
    const sellerLink = sell.getByRole("link", { name: "You", exact: true });
    await reloadUntil(seller, async () => (await sellerLink.count()) === 1, "the seller's link on the record");
    expect(await sellerLink.getAttribute("href")).toBe(`/sellers/${sellerName}`);

    buyer = await Shop.open(browser, mode, "buyer");
    const { page } = buyer;
    const main = page.getByRole("main");
    await signUpWithForm(buyer, `after-buyer-${mode.name}@example.com`);
    await buyer.goto(`/vinyls/${vinylId}`);
    await pressUntil(buyer, main.getByRole("button", { name: /Buy this record|Try again/ }), `/vinyls/${vinylId}/buy`, (url) =>
      ORDER_PATH.test(url.pathname),
    );
    orderPath = new URL(page.url()).pathname;
    expect(await main.getByRole("heading", { name: "Where should it go?" }).isVisible()).toBe(true);
    expect(await main.getByRole("button", { name: "Pay now" }).count()).toBe(0);
    await buyer.docsScreenshot("address", main.getByRole("heading", { name: "Where should it go?" }));

    // Abroad: refused with the country's name, the form kept as typed.
    buyer.expectStatus(409, `${orderPath}/address`);
    await giveAddress(buyer, { country: "FR" });
    expect(new URL(page.url()).pathname).toBe(`${orderPath}/address`);
    expect(await main.getByRole("alert").textContent()).toContain("The seller does not ship to France");
    expect(await main.getByRole("textbox", { name: "Full name" }).inputValue()).toBe(ADDRESS.name);
    expect(await main.getByRole("button", { name: "Pay now" }).count()).toBe(0);
    await buyer.check("order-address-refused");

    await giveAddress(buyer);
    expect(page.url()).toBe(`${new URL(orderPath, page.url()).href}?address`);
    const costs = main.locator("[data-costs]");
    expect(await costs.textContent()).toMatch(new RegExp(`Record\\s*\\$${record.price}\\.00\\s*Shipping\\s*\\$5\\.00\\s*Total\\s*\\${total}`));
    expect(await main.getByText(`${ADDRESS.line1}`).count()).toBe(1);
    await buyer.check("order-with-address");

    await pressUntil(buyer, main.getByRole("button", { name: "Pay now" }), `${orderPath}/pay`, (url) => CHECKOUT_PATH.test(url.pathname));
    expect(await page.getByRole("row", { name: `${record.title} $${record.price}.00` }).count()).toBe(1);
    expect(await page.getByRole("row", { name: "Shipping $5.00" }).count()).toBe(1);
    await page.getByRole("textbox", { name: "Card number" }).fill("4242 4242 4242 4242");
    await page.getByRole("button", { name: `Pay ${total}` }).click();
    await page.waitForURL((url) => url.pathname === "/orders/complete");
    await buyer.goto(orderPath);
    await reloadUntil(buyer, async () => (await badge(main, "Paid").count()) === 1, "the order paid");
    const timeline = main.getByRole("region", { name: "On its way" });
    expect(await timeline.getByText("The seller has not sent it yet.").count()).toBe(1);
    await buyer.check("order-paid-timeline");
    tally.journeys++;
  });

  it("the seller finds the sale first on the Sales page with the address and total, and marks it shipped", async () => {
    const { page } = seller;
    const main = page.getByRole("main");
    await navLink(page, "Sales").click();
    await page.waitForURL("**/sales");
    const toShip = main.getByRole("region", { name: /^To ship/ });
    const sale = toShip.getByRole("article", { name: record.title });
    expect(await sale.count()).toBe(1);
    expect(await sale.locator("[data-ship-to]").textContent()).toContain(ADDRESS.line1);
    expect(await sale.locator("[data-total]").textContent()).toBe(total);
    await seller.check("sales-to-ship", { docs: "sales" });

    await sale.getByRole("textbox", { name: "Carrier" }).fill("USPS");
    await sale.getByRole("textbox", { name: "Tracking number" }).fill("9400 1000 0000 0000 0001");
    await clickAndLoad(page, sale.getByRole("button", { name: "Mark shipped" }));
    expect(await main.getByRole("status").textContent()).toContain("Marked shipped");
    const shipped = main.getByRole("region", { name: /^Shipped/ }).getByRole("article", { name: record.title });
    expect(await shipped.locator("[data-tracking]").textContent()).toContain("9400 1000 0000 0000 0001");
    await seller.check("sales-shipped");
    tally.journeys++;
  });

  it("the buyer sees the tracking, says it arrived and leaves feedback; the seller replies", async () => {
    const { page } = buyer;
    const main = page.getByRole("main");
    await buyer.goto(orderPath);
    expect(await badge(main, "Shipped").count()).toBe(1);
    const tracking = main.locator("[data-tracking]");
    expect(await tracking.textContent()).toMatch(/Carrier\s*USPS\s*Tracking number\s*9400 1000 0000 0000 0001/);
    await buyer.check("order-shipped", { docs: "tracking" });

    await clickAndLoad(page, main.getByRole("button", { name: "I received it" }));
    expect(await main.getByRole("status").first().textContent()).toContain("Thanks for letting the seller know it arrived.");
    expect(await badge(main, "Delivered").count()).toBe(1);
    expect(await main.getByRole("button", { name: "I received it" }).count()).toBe(0);

    const form = main.locator("form[data-feedback-form]");
    await form.getByRole("radio", { name: "Positive" }).check();
    await form.getByRole("textbox", { name: "Comment (optional)" }).fill("Plays like new, packed with care.");
    await clickAndLoad(page, form.getByRole("button", { name: "Leave feedback" }));
    expect(await main.getByRole("status").first().textContent()).toContain("Thanks for your feedback.");
    expect(await main.locator("[data-feedback]").textContent()).toContain("Plays like new, packed with care.");
    await buyer.check("order-feedback");

    const sellerPage = seller.page;
    const sellerMain = sellerPage.getByRole("main");
    await seller.goto("/sales");
    const delivered = sellerMain.getByRole("region", { name: /^Delivered/ }).getByRole("article", { name: record.title });
    expect(await delivered.locator("[data-feedback]").textContent()).toContain("Plays like new, packed with care.");
    await delivered.getByRole("textbox", { name: "Your reply" }).fill("Glad it arrived safely. Enjoy!");
    await clickAndLoad(sellerPage, delivered.getByRole("button", { name: "Reply" }));
    expect(await sellerMain.getByRole("status").textContent()).toContain("Your reply is posted.");
    const replied = sellerMain.getByRole("article", { name: record.title });
    expect(await replied.locator("[data-reply]").textContent()).toContain("Glad it arrived safely. Enjoy!");
    expect(await replied.getByRole("button", { name: "Reply" }).count()).toBe(0);
    await seller.check("sales-replied");

    await buyer.goto(orderPath);
    await reloadUntil(buyer, async () => (await main.locator("[data-reply]").count()) === 1, "the reply on the order");

    // The seller's public page shows the feedback, its reply and the summary.
    await buyer.goto(`/sellers/${sellerName}`);
    const feedback = main.locator("[data-feedback]");
    expect(await feedback.locator("[data-percent-positive]").textContent()).toContain("100% positive");
    const recent = feedback.getByRole("list", { name: "Recent feedback" }).getByRole("listitem").filter({ hasText: record.title });
    expect(await recent.textContent()).toMatch(/Positive.*Plays like new, packed with care\..*Glad it arrived safely\. Enjoy!/s);
    await buyer.check("seller-page-feedback");
    buyer.assertClean();
    seller.assertClean();
    tally.journeys++;
  });
});
