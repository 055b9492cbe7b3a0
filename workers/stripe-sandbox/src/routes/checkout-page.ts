import { Hono } from "hono";
import { html, raw } from "hono/html";
import type { SandboxEnv } from "../app";
import { StripeError } from "../errors";
import { storedLineItems, type SessionRow } from "../objects";
import { DECLINED_CARD, loadSession, paySession, SUCCESS_CARD } from "../sessions";

/**
 * `/checkout/:id`: the test checkout page, standing in for Stripe's Embedded Checkout. It
 * is served under `/_sandbox/stripe/checkout/:id` on the shop's origin, so the form posts to
 * its own URL (an empty action) and never names a path. Works without JavaScript.
 */
export const checkoutPage = new Hono<SandboxEnv>();

const money = (cents: number, currency: string) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).format(cents / 100);

/** Stripe replaces this placeholder in the return URL with the session's id. */
const returnUrlOf = (row: SessionRow) => (row.returnUrl ?? row.successUrl ?? "").replaceAll("{CHECKOUT_SESSION_ID}", row.id);

const formatCard = (digits: string) => digits.replace(/(\d{4})(?=\d)/g, "$1 ");

function page(title: string, body: unknown) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · Stripe sandbox</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; background: #f6f9fc; color: #1a1f36; margin: 0; }
  main { max-width: 26rem; margin: 3rem auto; background: #fff; padding: 2rem; border-radius: 12px; box-shadow: 0 2px 12px #0001; }
  h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
  .amount { font-size: 2rem; font-weight: 600; margin: .5rem 0 1.5rem; }
  .lines { width: 100%; border-collapse: collapse; margin-top: 1rem; }
  .lines th { text-align: left; font-weight: 400; padding: .25rem 0; }
  .lines td { text-align: right; padding: .25rem 0; }
  .lines .total th, .lines .total td { font-weight: 600; border-top: 1px solid #e3e8ee; }
  label { display: block; font-weight: 500; margin-bottom: .25rem; }
  input { width: 100%; box-sizing: border-box; font: inherit; padding: .6rem .75rem; border: 1px solid #c4cdd5; border-radius: 6px; }
  button { width: 100%; margin-top: 1rem; font: inherit; font-weight: 600; padding: .75rem; border: 0; border-radius: 6px; background: #635bff; color: #fff; cursor: pointer; }
  .error { color: #df1b41; margin: .5rem 0 0; }
  .note { color: #697386; font-size: .875rem; margin-top: 1.5rem; }
  .badge { display: inline-block; font-size: .75rem; font-weight: 600; background: #ffde92; color: #7a4b00; padding: .1rem .5rem; border-radius: 4px; margin-bottom: 1rem; }
</style>
</head>
<body><main><span class="badge">SANDBOX · no real money moves</span>${body}</main></body>
</html>`;
}

function paymentForm(row: SessionRow, card: string, error?: string) {
  const [first, ...more] = storedLineItems(row);
  return page(
    "Pay",
    html`<h1>${first?.name ?? "Checkout"}</h1>
<table class="lines" aria-label="What you pay for">
  ${storedLineItems(row).map(
    (item) => html`<tr><th scope="row">${item.name}${item.quantity > 1 ? ` × ${item.quantity}` : ""}</th><td>${money(item.unitAmount * item.quantity, item.currency)}</td></tr>`,
  )}
  ${more.length > 0 ? html`<tr class="total"><th scope="row">Total</th><td>${money(row.amountTotal, row.currency)}</td></tr>` : ""}
</table>
<p class="amount">${money(row.amountTotal, row.currency)}</p>
<form method="post" action="">
  <label for="card">Card number</label>
  <input id="card" name="card" inputmode="numeric" autocomplete="cc-number" required value="${card}"
    ${error ? raw('aria-invalid="true" aria-describedby="card-error"') : ""}>
  ${error ? html`<p class="error" id="card-error" role="alert">${error}</p>` : ""}
  <button type="submit">Pay ${money(row.amountTotal, row.currency)}</button>
</form>
<p class="note">Test cards: ${formatCard(SUCCESS_CARD)} pays; ${formatCard(DECLINED_CARD)} is declined.</p>`,
  );
}

function closed(row: SessionRow) {
  if (row.status === "complete") {
    return page("Paid", html`<h1>Payment complete</h1><p>This checkout has been paid.</p><p><a href="${returnUrlOf(row)}">Return to the shop</a></p>`);
  }
  return page("Expired", html`<h1>Checkout expired</h1><p>This checkout session has expired; no payment was taken.</p>`);
}

const notFound = () => page("Not found", html`<h1>No such checkout</h1><p>This checkout session does not exist.</p>`);

checkoutPage.get("/:id", async (c) => {
  c.header("Cache-Control", "no-store");
  const row = await loadSession(c.env, c.req.param("id"));
  if (!row) return c.html(notFound(), 404);
  if (row.status !== "open") return c.html(closed(row));
  return c.html(paymentForm(row, ""));
});

checkoutPage.post("/:id", async (c) => {
  c.header("Cache-Control", "no-store");
  const id = c.req.param("id");
  const form = await c.req.parseBody();
  const card = typeof form.card === "string" ? form.card.trim() : "";
  const row = await loadSession(c.env, id);
  if (!row) return c.html(notFound(), 404);
  if (row.status !== "open") return c.html(closed(row), 409);
  try {
    const paid = await paySession(c.env, id, card);
    // As Stripe does after an embedded payment: back to the shop, `{CHECKOUT_SESSION_ID}` filled in.
    return c.redirect(returnUrlOf(paid), 303);
  } catch (error) {
    if (!(error instanceof StripeError)) throw error;
    const now = await loadSession(c.env, id);
    if (!now || now.status !== "open") return c.html(closed(now ?? row), 409);
    // Declined: the session stays open and the shopper may try another card.
    return c.html(paymentForm(now, card, error.message), error.status === 402 ? 402 : 400);
  }
});
