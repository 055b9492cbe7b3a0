import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { app } from "../src/app";
import { cryptoProvider, Stripe } from "../src/stripe-client";
import { expectError, harness, newUser, openCheckout, paymentsOf, placedOrder, sessionsOf, type Harness, checkoutInProgress } from "./harness";

/** A `Stripe-Signature` header made by the SDK's own test helper (Stripe's scheme). */
function signature(payload: string, opts: { secret?: string; timestamp?: number } = {}) {
  return Stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: opts.secret ?? env.SANDBOX_WEBHOOK_SECRET,
    timestamp: opts.timestamp ?? Math.floor(Date.now() / 1000),
    cryptoProvider,
  });
}

/** Sends `payload` to the webhook endpoint as Stripe would, with `signatureHeader` (if any). */
async function webhook(h: Harness, payload: string, signatureHeader?: string) {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request("https://shop.example/api/payments/webhook", {
      method: "POST",
      headers: { "content-type": "application/json", ...(signatureHeader ? { "stripe-signature": signatureHeader } : {}) },
      body: payload,
    }),
    h.env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

/** A paid session whose `checkout.session.completed` the sandbox holds back, and that event's body. */
async function paidButUndelivered(h: Harness) {
  const buyer = await newUser();
  const order = await placedOrder(h, buyer);
  const { sessionId } = await openCheckout(h, buyer, order.id);
  h.holdWebhooks();
  expect((await h.pay(sessionId)).status).toBe(200);
  h.releaseWebhooks();
  const event = (await h.sandboxEvents()).find((e) => e.data.object.id === sessionId && e.type === "checkout.session.completed")!;
  return { order, sessionId, event, payload: JSON.stringify(event, null, 2) };
}

describe("POST /api/payments/webhook", () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});

  it("records the payment of a verified checkout.session.completed and publishes payment_created", async () => {
    const h = harness();
    const buyer = await newUser();
    // A total of 19.99: the record and its shipping.
    const order = await placedOrder(h, buyer, { priceCents: 1599, shippingCents: 400 });
    const { sessionId } = await openCheckout(h, buyer, order.id);
    expect((await h.pay(sessionId)).status).toBe(200);

    const session = await h.stripe.checkout.sessions.retrieve(sessionId);
    const [payment] = await paymentsOf(order.id);
    expect(payment).toMatchObject({
      orderId: order.id,
      stripeSessionId: sessionId,
      stripePaymentIntentId: session.payment_intent,
      amountCents: 1999,
      currency: "USD",
      status: "paid",
      version: 0,
    });
    expect(h.publishedOf("payment_created", order.id)).toEqual([
      expect.objectContaining({
        version: 0,
        source: "payments",
        data: { id: payment!.id, orderId: order.id, stripeSessionId: sessionId, stripePaymentIntentId: session.payment_intent, amountCents: 1999, currency: "USD" },
      }),
    ]);
    expect((await sessionsOf(order.id))[0]!.status).toBe("complete");
    const delivered = (await h.sandboxEvents()).find((e) => e.data.object.id === sessionId);
    expect(delivered).toMatchObject({ type: "checkout.session.completed", delivery_status: 200 });
  });

  it("accepts the event as the sandbox signed it, and verifies it with the stripe SDK", async () => {
    const h = harness();
    const { order, payload } = await paidButUndelivered(h);
    const res = await webhook(h, payload, await signature(payload));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true });
    expect(await paymentsOf(order.id)).toHaveLength(1);
  });

  it("refuses a signature made with another secret with 400 and records nothing", async () => {
    const h = harness();
    const { order, payload } = await paidButUndelivered(h);
    await expectError(await webhook(h, payload, await signature(payload, { secret: "whsec_someone_else" })), 400, "Invalid Stripe signature");
    expect(await paymentsOf(order.id)).toEqual([]);
  });

  it("refuses a signature older than 5 minutes with 400", async () => {
    const h = harness();
    const { order, payload } = await paidButUndelivered(h);
    const stale = Math.floor(Date.now() / 1000) - 5 * 60 - 1;
    await expectError(await webhook(h, payload, await signature(payload, { timestamp: stale })), 400, "Invalid Stripe signature");
    expect(await paymentsOf(order.id)).toEqual([]);
    // Four minutes old is still within Stripe's tolerance.
    const recent = Math.floor(Date.now() / 1000) - 4 * 60;
    expect((await webhook(h, payload, await signature(payload, { timestamp: recent }))).status).toBe(200);
  });

  it("refuses a body changed after it was signed with 400", async () => {
    const h = harness();
    const { order, payload } = await paidButUndelivered(h);
    const header = await signature(payload);
    const changed = payload.replace('"amount_total": 2950', '"amount_total": 1');
    expect(changed).not.toBe(payload);
    await expectError(await webhook(h, changed, header), 400, "Invalid Stripe signature");
    await expectError(await webhook(h, `${payload} `, header), 400, "Invalid Stripe signature");
    expect(await paymentsOf(order.id)).toEqual([]);
  });

  it("refuses a request without a Stripe-Signature header with 400", async () => {
    const h = harness();
    const { order, payload } = await paidButUndelivered(h);
    await expectError(await webhook(h, payload), 400, "Missing Stripe-Signature header");
    await expectError(await webhook(h, payload, "garbage"), 400, "Invalid Stripe signature");
    expect(await paymentsOf(order.id)).toEqual([]);
  });

  it("refuses a correctly signed body that is not JSON with 400", async () => {
    const h = harness();
    const payload = "not json";
    await expectError(await webhook(h, payload, await signature(payload)), 400, "Invalid webhook payload");
  });

  it("refuses a correctly signed body that is not a Stripe event with 400", async () => {
    const h = harness();
    const bodies = ["null", "[]", "{}", '{"id":"evt_1","type":5}', '{"id":"evt_2","type":"checkout.session.completed","data":null}', '{"id":"evt_3","type":"checkout.session.expired","data":{"object":{}}}'];
    for (const payload of bodies) {
      await expectError(await webhook(h, payload, await signature(payload)), 400, "Invalid webhook payload");
    }
  });

  it("applies a replayed event once: 200 again, still one payment and one payment_created", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    await h.pay(sessionId);
    const event = (await h.sandboxEvents()).find((e) => e.data.object.id === sessionId)!;
    expect(await (await h.redeliver(event.id)).json()).toEqual({ id: event.id, delivery_status: 200 });
    expect(await (await h.redeliver(event.id)).json()).toEqual({ id: event.id, delivery_status: 200 });
    expect(await paymentsOf(order.id)).toHaveLength(1);
    expect(h.publishedOf("payment_created", order.id)).toHaveLength(1);
  });

  it("applies concurrent deliveries of one event once", async () => {
    const h = harness();
    const { order, payload } = await paidButUndelivered(h);
    const header = await signature(payload);
    const answers = await Promise.all([1, 2, 3, 4].map(() => webhook(h, payload, header)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await paymentsOf(order.id)).toHaveLength(1);
    expect(h.publishedOf("payment_created", order.id)).toHaveLength(1);
  });

  it("records one payment for two different events about the same paid session", async () => {
    const h = harness();
    const { order, event } = await paidButUndelivered(h);
    for (const id of ["evt_first", "evt_second"]) {
      const payload = JSON.stringify({ ...event, id });
      expect((await webhook(h, payload, await signature(payload))).status).toBe(200);
    }
    expect(await paymentsOf(order.id)).toHaveLength(1);
    expect(h.publishedOf("payment_created", order.id)).toHaveLength(1);
  });

  it("acknowledges a verified event of a type it does not handle with 200 and changes nothing", async () => {
    const h = harness();
    const { order, event } = await paidButUndelivered(h);
    const payload = JSON.stringify({ ...event, id: "evt_other_type", type: "charge.refund.updated" });
    const res = await webhook(h, payload, await signature(payload));
    expect(res.status).toBe(200);
    expect(await paymentsOf(order.id)).toEqual([]);
    expect(h.published).toEqual(h.published.filter((e) => e.type === "checkout_started"));
  });

  it("ignores a completed session that is not paid or names no order of ours", async () => {
    const h = harness();
    const { order, event } = await paidButUndelivered(h);
    const unpaid = JSON.stringify({ ...event, id: "evt_unpaid", data: { object: { ...event.data.object, payment_status: "unpaid" } } });
    const foreign = JSON.stringify({ ...event, id: "evt_foreign", data: { object: { ...event.data.object, metadata: {} } } });
    for (const payload of [unpaid, foreign]) expect((await webhook(h, payload, await signature(payload))).status).toBe(200);
    expect(await paymentsOf(order.id)).toEqual([]);
  });

  describe("a signed event that is not a payment payments asked for", () => {
    /** `event`'s session changed by `change`, re-signed under a new event id. */
    const forged = (event: { data: { object: Record<string, unknown> } }, id: string, change: Record<string, unknown>) =>
      JSON.stringify({ ...event, id, data: { object: { ...event.data.object, ...change } } });

    it("records nothing for an invented session, another order's session, another amount or another currency; the real event still records", async () => {
      const h = harness();
      const { order, event } = await paidButUndelivered(h);
      const other = await placedOrder(h, await newUser());
      const payloads = [
        forged(event, "evt_invented_session", { id: "cs_test_invented", amount_total: 1 }),
        forged(event, "evt_one_cent", { amount_total: 1 }),
        forged(event, "evt_other_currency", { currency: "eur" }),
        forged(event, "evt_other_order", { metadata: { orderId: other.id } }),
      ];
      for (const payload of payloads) {
        const res = await webhook(h, payload, await signature(payload));
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ received: true });
      }
      expect(await paymentsOf(order.id)).toEqual([]);
      expect(await paymentsOf(other.id)).toEqual([]);
      expect(h.publishedOf("payment_created", order.id)).toEqual([]);

      const genuine = JSON.stringify(event);
      expect((await webhook(h, genuine, await signature(genuine))).status).toBe(200);
      // The record and its shipping (placedOrder: $25.00 and $4.50), the total the checkout was opened for.
      expect(await paymentsOf(order.id)).toEqual([expect.objectContaining({ amountCents: 2950, currency: "USD", status: "paid" })]);
    });

    it("does not trust the sandbox's public secret where no sandbox is bound (a deploy without Stripe keys)", async () => {
      const h = harness();
      const { order, payload } = await paidButUndelivered(h);
      const deployed = { ...h.env, STRIPE_SECRET_KEY: "", STRIPE_SANDBOX: undefined } as unknown as Env;
      const ctx = createExecutionContext();
      const res = await app.fetch(
        new Request("https://shop.example/api/payments/webhook", {
          method: "POST",
          headers: { "content-type": "application/json", "stripe-signature": await signature(payload) },
          body: payload,
        }),
        deployed,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ errors: [{ message: "Something went wrong" }] });
      expect(await paymentsOf(order.id)).toEqual([]);
    });
  });

  it("marks the session expired on checkout.session.expired", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    await h.stripe.checkout.sessions.expire(sessionId, {}, { idempotencyKey: "test:expire:webhook" });
    expect((await sessionsOf(order.id))[0]!.status).toBe("expired");
    expect(await paymentsOf(order.id)).toEqual([]);
  });
});
