import { describe, expect, it, vi } from "vitest";
import { upsertOrder } from "../src/order-replica";
import {
  cancelOrder,
  checkoutInProgress,
  db,
  expectError,
  harness,
  newUser,
  openCheckout,
  orderEvent,
  orderUpdated,
  placedOrder,
  sessionsOf,
} from "./harness";

describe("POST /api/payments/checkout", () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation(() => {});

  it("opens an embedded Checkout Session for the order's own total, title and currency, in sandbox mode", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer, { title: "Blue Train", priceCents: 3150, shippingCents: 450, currency: "EUR" });
    const res = await h.send("POST", "/api/payments/checkout", { orderId: order.id }, buyer);
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const body = await res.json<{ sessionId: string; clientSecret: string; mode: string; publishableKey: null }>();
    expect(body).toEqual({ sessionId: expect.stringMatching(/^cs_test_/), clientSecret: expect.any(String), mode: "sandbox", publishableKey: null });

    const session = await h.stripe.checkout.sessions.retrieve(body.sessionId);
    expect(session).toMatchObject({
      status: "open",
      ui_mode: "embedded_page",
      amount_total: 3600,
      currency: "eur",
      client_secret: body.clientSecret,
      metadata: { orderId: order.id },
      return_url: `http://localhost:8787/orders/complete?session_id={CHECKOUT_SESSION_ID}&order_id=${order.id}`,
    });
    const page = await (await h.sandbox("GET", `/checkout/${body.sessionId}`)).text();
    expect(page).toContain("Blue Train");
    // The record and its shipping, each its own line, adding up to the total.
    const lines = await h.stripe.checkout.sessions.listLineItems(body.sessionId);
    expect(lines.data.map((l) => [l.description, l.quantity, l.amount_total, l.currency])).toEqual([
      ["Blue Train", 1, 3150, "eur"],
      ["Shipping", 1, 450, "eur"],
    ]);
  });

  it("charges free shipping as a shipping line of 0", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer, { priceCents: 2000, shippingCents: 0 });
    const { sessionId } = await openCheckout(h, buyer, order.id);
    expect((await h.stripe.checkout.sessions.retrieve(sessionId)).amount_total).toBe(2000);
    const lines = await h.stripe.checkout.sessions.listLineItems(sessionId);
    expect(lines.data.map((l) => [l.description, l.amount_total])).toEqual([
      ["Kind of Blue", 2000],
      ["Shipping", 0],
    ]);
  });

  it("answers 409 Add a shipping address before paying, and asks Stripe nothing, for an order without an address", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer, { shippingCents: null });
    await expectError(await h.send("POST", "/api/payments/checkout", { orderId: order.id }, buyer), 409, "Add a shipping address before paying");
    expect(await sessionsOf(order.id)).toEqual([]);
    expect(await h.stripeRequests(order.id)).toEqual([]);
    expect(h.publishedOf("checkout_started", order.id)).toEqual([]);
    // Once the address reaches payments, the same request opens the checkout.
    await h.deliver(orderUpdated({ ...order, shippingCents: 500 }));
    const { sessionId } = await openCheckout(h, buyer, order.id);
    expect((await h.stripe.checkout.sessions.retrieve(sessionId)).amount_total).toBe(3000);
  });

  it("still answers 403 and the order's end before asking for an address", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer, { shippingCents: null });
    await expectError(await h.send("POST", "/api/payments/checkout", { orderId: order.id }, await newUser()), 403);
    await cancelOrder(h, order);
    await expectError(await h.send("POST", "/api/payments/checkout", { orderId: order.id }, buyer), 409, "Order is cancelled");
  });

  it("charges the server's price: a price, amount or currency sent by the browser is ignored", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer, { priceCents: 4200 });
    const { sessionId } = await openCheckout(h, buyer, order.id, {
      price: 0.01,
      amount: 1,
      priceCents: 1,
      total: 0.01,
      shipping: 0,
      shippingCents: 0,
      currency: "JPY",
    });
    expect(await h.stripe.checkout.sessions.retrieve(sessionId)).toMatchObject({ amount_total: 4650, currency: "usd" });
  });

  it("expires the session no sooner than Stripe allows, and no sooner than the hold ends", async () => {
    const h = harness();
    const buyer = await newUser();
    const soon = await placedOrder(h, buyer);
    const late = await placedOrder(h, buyer, { expiresAt: new Date(Date.now() + 3 * 3600_000).toISOString() });
    const now = Math.floor(Date.now() / 1000);
    const first = await h.stripe.checkout.sessions.retrieve((await openCheckout(h, buyer, soon.id)).sessionId);
    expect(first.expires_at).toBeGreaterThanOrEqual(now + 30 * 60);
    expect(first.expires_at).toBeLessThanOrEqual(now + 35 * 60);
    const second = await h.stripe.checkout.sessions.retrieve((await openCheckout(h, buyer, late.id)).sessionId);
    expect(second.expires_at).toBe(Math.floor(Date.parse(late.expiresAt) / 1000));
  });

  it("returns the still-open session instead of opening another", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer);
    const first = await openCheckout(h, buyer, order.id);
    const again = await openCheckout(h, buyer, order.id);
    expect(again).toEqual(first);
    expect(await sessionsOf(order.id)).toHaveLength(1);
    const creates = (await h.stripeRequests(order.id)).filter((r) => r.method === "POST" && r.path === "/v1/checkout/sessions");
    expect(creates.map((r) => r.idempotencyKey)).toEqual([`checkout:${order.id}:1`]);
  });

  it("opens a new session under the next attempt's key once Stripe says the last one expired", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer);
    const first = await openCheckout(h, buyer, order.id);
    // Stripe expires a session on its own (here: the sandbox, as its expiry would).
    await h.stripe.checkout.sessions.expire(first.sessionId, {}, { idempotencyKey: "test:expire" });
    const second = await openCheckout(h, buyer, order.id);
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(await h.stripe.checkout.sessions.retrieve(second.sessionId)).toMatchObject({ status: "open" });
    expect((await sessionsOf(order.id)).map((s) => [s.attempt, s.sessionId, s.status])).toEqual([
      [1, first.sessionId, "expired"],
      [2, second.sessionId, "open"],
    ]);
    const keys = (await h.stripeRequests(order.id)).filter((r) => r.path === "/v1/checkout/sessions").map((r) => r.idempotencyKey);
    expect(keys).toEqual([`checkout:${order.id}:1`, `checkout:${order.id}:2`]);
  });

  it("publishes checkout_started once per session opened, so orders moves the order to awaiting_payment", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    await openCheckout(h, buyer, order.id);
    expect(h.publishedOf("checkout_started", order.id).map((e) => e.data)).toEqual([{ orderId: order.id, sessionId }]);
  });

  it("gives concurrent requests for one order the same session", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer);
    const answers = await Promise.all([1, 2, 3].map(() => h.send("POST", "/api/payments/checkout", { orderId: order.id }, buyer)));
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201]);
    const ids = new Set(await Promise.all(answers.map(async (r) => (await r.json<{ sessionId: string }>()).sessionId)));
    expect(ids.size).toBe(1);
    expect(h.publishedOf("checkout_started", order.id)).toHaveLength(1);
  });

  it("checks in the contract's order: 401, then 400, then 404, then 403", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer);
    await expectError(await h.send("POST", "/api/payments/checkout", {}), 401, "You must be signed in");
    await expectError(await h.send("POST", "/api/payments/checkout", {}, buyer), 400, undefined).then((b) =>
      expect(b.errors).toEqual([{ field: "orderId", message: "orderId is required" }]),
    );
    await expectError(await h.send("POST", "/api/payments/checkout", { orderId: 7 }, buyer), 400);
    await expectError(await h.send("POST", "/api/payments/checkout", { orderId: crypto.randomUUID() }, buyer), 404, "Order not found");
    await expectError(await h.send("POST", "/api/payments/checkout", { orderId: "not-a-uuid" }, buyer), 404, "Order not found");
    await expectError(await h.send("POST", "/api/payments/checkout", { orderId: order.id }, await newUser()), 403);
    expect(await h.stripeRequests(order.id)).toEqual([]);
  });

  it("answers 415 for a body that is not JSON", async () => {
    const h = harness();
    const buyer = await newUser();
    const res = await h.send("POST", "/api/payments/checkout", undefined, buyer, { "content-type": "text/plain" });
    await expectError(res, 415);
  });

  it("refuses a cancelled, a completed and an expired order with 409, without calling Stripe", async () => {
    const h = harness();
    const buyer = await newUser();
    const cancelled = await placedOrder(h, buyer);
    await cancelOrder(h, cancelled);
    const complete = await placedOrder(h, buyer);
    await h.deliver(orderEvent(complete, "complete", 2));
    const expired = await placedOrder(h, buyer, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    await expectError(await h.send("POST", "/api/payments/checkout", { orderId: cancelled.id }, buyer), 409, "Order is cancelled");
    await expectError(await h.send("POST", "/api/payments/checkout", { orderId: complete.id }, buyer), 409, "Order is already paid");
    await expectError(await h.send("POST", "/api/payments/checkout", { orderId: expired.id }, buyer), 409, "Order has expired");
    for (const order of [cancelled, complete, expired]) expect(await h.stripeRequests(order.id)).toEqual([]);
  });

  it("answers 409 and records the payment when Stripe already has the session paid", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    h.holdWebhooks();
    expect((await h.pay(sessionId)).status).toBe(200);
    await expectError(await h.send("POST", "/api/payments/checkout", { orderId: order.id }, buyer), 409, "Order is already paid");
    expect(h.publishedOf("payment_created", order.id)).toHaveLength(1);
  });

  it("answers 503 when Stripe cannot be reached, and nothing is published", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer);
    h.takeStripeDown();
    const res = await h.send("POST", "/api/payments/checkout", { orderId: order.id }, buyer);
    await expectError(res, 503, "Payments are unavailable, please try again shortly");
    expect(h.publishedOf("checkout_started", order.id)).toEqual([]);
    h.takeStripeDown(false);
    expect((await h.send("POST", "/api/payments/checkout", { orderId: order.id }, buyer)).status).toBe(201);
  });

  it("expires at once, and answers 409, a session opened while the order was being cancelled", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer);
    // The cancellation commits to the replica while Stripe is creating the session.
    h.beforeStripe(async (request) => {
      if (request.method === "POST" && new URL(request.url).pathname === "/v1/checkout/sessions") {
        await db.batch([upsertOrder(db, orderEvent(order, "cancelled", 1).data)]);
      }
    });
    await expectError(await h.send("POST", "/api/payments/checkout", { orderId: order.id }, buyer), 409, "Order is cancelled");
    const [session] = await sessionsOf(order.id);
    expect(session).toMatchObject({ status: "expired" });
    expect(await h.stripe.checkout.sessions.retrieve(session!.sessionId!)).toMatchObject({ status: "expired" });
    expect(h.publishedOf("checkout_started", order.id)).toEqual([]);
  });
});
