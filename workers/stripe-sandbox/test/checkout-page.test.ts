import { describe, expect, it } from "vitest";
import { sandbox, sessionParams } from "./client";

const form = (card: string) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({ card }).toString(),
  redirect: "manual" as const,
});

describe("the test checkout page", () => {
  it("shows the record and amount with a card field, posting to its own URL so it works under any prefix", async () => {
    const { stripe, call } = sandbox();
    const session = await stripe.checkout.sessions.create(sessionParams());
    const res = await call(`/checkout/${session.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toContain("Kind of Blue");
    expect(page).toContain("$25.00");
    expect(page).toContain('name="card"');
    expect(page).toContain('action=""');
    expect(page).not.toMatch(/(href|action|src)="\//);
  });

  it("shows each line item with its amount, and the total, when there are several", async () => {
    const { stripe, call } = sandbox();
    const session = await stripe.checkout.sessions.create(
      sessionParams({
        line_items: [
          { quantity: 1, price_data: { currency: "usd", unit_amount: 2500, product_data: { name: "Kind of Blue" } } },
          { quantity: 1, price_data: { currency: "usd", unit_amount: 450, product_data: { name: "Shipping" } } },
        ],
      }),
    );
    const page = await (await call(`/checkout/${session.id}`)).text();
    expect(page).toMatch(/<th scope="row">Kind of Blue<\/th><td>\$25\.00<\/td>/);
    expect(page).toMatch(/<th scope="row">Shipping<\/th><td>\$4\.50<\/td>/);
    expect(page).toMatch(/<th scope="row">Total<\/th><td>\$29\.50<\/td>/);
    expect(page).toContain("Pay $29.50");
  });

  it("pays with 4242 4242 4242 4242 and redirects to the return URL with the session id filled in", async () => {
    const { stripe, call, deliveries } = sandbox();
    const session = await stripe.checkout.sessions.create(sessionParams());
    const res = await call(`/checkout/${session.id}`, form("4242 4242 4242 4242"));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`http://localhost:8787/orders/complete?session_id=${session.id}`);
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ status: "complete", payment_status: "paid" });
    expect(deliveries).toHaveLength(1);
    // A paid session's page says so instead of taking money twice.
    expect(await (await call(`/checkout/${session.id}`)).text()).toContain("Payment complete");
  });

  it("shows the decline of 4000 0000 0000 0002 and keeps the session open for another card", async () => {
    const { stripe, call } = sandbox();
    const session = await stripe.checkout.sessions.create(sessionParams());
    const declined = await call(`/checkout/${session.id}`, form("4000 0000 0000 0002"));
    expect(declined.status).toBe(402);
    expect(await declined.text()).toContain("Your card was declined.");
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ status: "open", payment_status: "unpaid" });
    expect((await call(`/checkout/${session.id}`, form("4242424242424242"))).status).toBe(303);
  });

  it("says an expired or unknown session cannot be paid", async () => {
    const { stripe, call } = sandbox();
    const session = await stripe.checkout.sessions.create(sessionParams());
    await stripe.checkout.sessions.expire(session.id);
    expect(await (await call(`/checkout/${session.id}`)).text()).toContain("Checkout expired");
    expect((await call(`/checkout/${session.id}`, form("4242424242424242"))).status).toBe(409);
    expect((await call("/checkout/cs_test_nope")).status).toBe(404);
  });

  it("escapes what it shows", async () => {
    const { stripe, call } = sandbox();
    const name = '<script>alert("x")</script>';
    const session = await stripe.checkout.sessions.create(
      sessionParams({ line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: 100, product_data: { name } } }] }),
    );
    const page = await (await call(`/checkout/${session.id}`)).text();
    expect(page).not.toContain(name);
    expect(page).toContain("&lt;script&gt;");
  });
});
