import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import type { Shop } from "./shop";

export const PASSWORD = "needle-drop-42";

/**
 * Signs up through the header's Sign up link and the form, choosing `username` if given (else
 * one is made from the email); back on the home page, signed in.
 */
export async function signUpWithForm(shop: Shop, email: string, username?: string) {
  const { page } = shop;
  await shop.goto("/");
  await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Sign up" }).click();
  await page.waitForURL((url) => url.pathname === "/signup");
  expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Create your account");
  await shop.check("sign-up");
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  if (username) await page.getByRole("textbox", { name: "Username (optional)" }).fill(username);
  await page.getByRole("textbox", { name: "Password" }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  const account = await page.getByRole("navigation", { name: "Account" }).textContent();
  expect(account).toMatch(username ? new RegExp(`Signed in as\\s+${username}`) : /Signed in as\s+\S+/);
}

/** A link in the shop's main navigation. */
export const navLink = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Shop" }).getByRole("link", { name, exact: true });

/**
 * Reloads the page until `done` says the state it waits for has arrived (events travel
 * between the Workers), failing with `what` after `timeoutMs`.
 */
export async function reloadUntil(shop: Shop, done: () => Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what}: not shown within ${timeoutMs} ms (${shop.page.url()})`);
    await new Promise((r) => setTimeout(r, 300));
    await shop.page.reload();
  }
}

/**
 * Presses a form's button whose post answers 503 "try again in a moment" while a record or
 * order just made has not reached every Worker yet, and presses again (as the page asks)
 * until the browser lands where `arrived` says.
 */
export async function pressUntil(shop: Shop, button: Locator, postPath: string, arrived: (url: URL) => boolean) {
  const { page } = shop;
  const deadline = Date.now() + 15_000;
  for (;;) {
    shop.expectStatus(503, postPath);
    await clickAndLoad(page, button);
    if (arrived(new URL(page.url()))) return;
    expect(new URL(page.url()).pathname).toBe(postPath);
    expect(await page.getByRole("main").textContent()).toMatch(/in a moment/);
    if (Date.now() > deadline) throw new Error(`still not ready after 15 s at ${page.url()}`);
  }
}

/** A status badge ("✓ Paid", "● Available"): its word after the shape that marks it. */
export const badge = (scope: Locator, word: string) => scope.getByText(new RegExp(`^\\W*${word}$`));

/** Clicks something that loads a new page (possibly the same URL again) and waits for it. */
export async function clickAndLoad(page: Page, target: Locator) {
  const loaded = page.waitForEvent("load");
  await target.click();
  await loaded;
}

/** Where the journeys' buyers have their records sent: the United States, where listings ship from unless they say otherwise. */
export const ADDRESS = { name: "Ella Fitzgerald", line1: "1 Blue Skies Lane", city: "Newport News", postalCode: "23601", region: "VA", country: "US" };

/**
 * Fills the order page's address form and saves it; back on the order page with the total.
 * The form is the one for a first address, or the one under "Change the address".
 */
export async function giveAddress(shop: Shop, address: Partial<typeof ADDRESS> = ADDRESS, button = "Save address and see the total") {
  const { page } = shop;
  const form = page.getByRole("main").locator("form[data-address-form]");
  const filled = { ...ADDRESS, ...address };
  await form.getByRole("textbox", { name: "Full name" }).fill(filled.name);
  await form.getByRole("textbox", { name: "Address", exact: true }).fill(filled.line1);
  await form.getByRole("textbox", { name: "City" }).fill(filled.city);
  await form.getByRole("textbox", { name: "Postal code" }).fill(filled.postalCode);
  await form.getByRole("textbox", { name: "State, province or county (optional)" }).fill(filled.region);
  await form.getByRole("combobox", { name: "Country" }).selectOption(filled.country);
  await clickAndLoad(page, form.getByRole("button", { name: button }));
}
