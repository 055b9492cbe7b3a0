import { describe, expect, it, vi } from "vitest";
import { upsertOrder } from "../src/order-replica";
import { cancelOrder, db, harness, newUser, openCheckout, orderEvent, paymentsOf, placedOrder, sessionsOf, checkoutInProgress } from "./harness";

/**
 * Invariant 5: the hold ends on time and safely. Whatever order a payment and a
 * cancellation reach payments in, a payment for a cancelled order is refunded exactly once
 * and `payment_refunded` is published once.
 */
describe("payments racing cancellations", () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation(() => {});

  it("refunds once when the hold expired while the buyer paid (payment recorded, then the cancellation arrives)", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    await h.pay(sessionId);
    expect(await paymentsOf(order.id)).toMatchObject([{ status: "paid" }]);

    // Orders expired the order before payment_created reached it; its cancellation arrives now, twice.
    await cancelOrder(h, order);
    await cancelOrder(h, order);

    const [payment] = await paymentsOf(order.id);
    expect(payment).toMatchObject({ status: "refunded", version: 1, stripeRefundId: expect.stringMatching(/^re_/) });
    const refunds = await h.refundsOf(order.id);
    expect(refunds).toMatchObject([{ amount: 2950, payment_intent: payment!.stripePaymentIntentId, status: "succeeded" }]);
    expect(h.publishedOf("payment_refunded", order.id)).toEqual([
      expect.objectContaining({ version: 1, data: expect.objectContaining({ id: payment!.id, orderId: order.id }) }),
    ]);
    const refundKeys = (await h.stripeRequests(order.id)).filter((r) => r.path === "/v1/refunds").map((r) => r.idempotencyKey);
    expect(new Set(refundKeys)).toEqual(new Set([`refund:${payment!.stripePaymentIntentId}`]));
  });

  it("records and refunds once a payment Stripe completed just before the cancellation expired the session; the late webhook changes nothing", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    h.holdWebhooks();
    await h.pay(sessionId);
    await cancelOrder(h, order);

    expect(await paymentsOf(order.id)).toMatchObject([{ status: "refunded" }]);
    expect(await h.refundsOf(order.id)).toHaveLength(1);
    const expire = (await h.stripeRequests(order.id)).find((r) => r.path.endsWith("/expire"));
    expect(expire?.idempotencyKey).toBe(`expire:${sessionId}`);

    h.releaseWebhooks();
    const event = (await h.sandboxEvents()).find((e) => e.data.object.id === sessionId)!;
    expect(await (await h.redeliver(event.id)).json()).toMatchObject({ delivery_status: 200 });
    expect(await paymentsOf(order.id)).toHaveLength(1);
    expect(await h.refundsOf(order.id)).toHaveLength(1);
    expect(h.publishedOf("payment_created", order.id)).toEqual([]);
    expect(h.publishedOf("payment_refunded", order.id)).toHaveLength(1);
  });

  it("refunds once a payment whose webhook arrives after the order was cancelled, and never publishes payment_created", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    // The cancellation is in the replica; its consumer has not expired the session yet.
    await db.batch([upsertOrder(db, orderEvent(order, "cancelled", 1).data)]);
    await h.pay(sessionId);

    expect(await paymentsOf(order.id)).toMatchObject([{ status: "refunded" }]);
    expect(h.publishedOf("payment_created", order.id)).toEqual([]);
    expect(h.publishedOf("payment_refunded", order.id)).toHaveLength(1);

    await cancelOrder(h, order);
    expect(await h.refundsOf(order.id)).toHaveLength(1);
    expect(h.publishedOf("payment_refunded", order.id)).toHaveLength(1);
  });

  it("expires the open session of a cancelled order, so it can no longer be paid", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    await cancelOrder(h, order);
    expect(await h.stripe.checkout.sessions.retrieve(sessionId)).toMatchObject({ status: "expired" });
    expect((await sessionsOf(order.id))[0]).toMatchObject({ status: "expired" });
    expect((await h.pay(sessionId)).status).toBe(400);
    expect(await paymentsOf(order.id)).toEqual([]);
  });

  it("records one payment when the webhook and the buyer's return page report it at once", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    h.holdWebhooks();
    await h.pay(sessionId);
    h.releaseWebhooks();
    const event = (await h.sandboxEvents()).find((e) => e.data.object.id === sessionId)!;
    const [, returned] = await Promise.all([h.redeliver(event.id), h.send("POST", "/api/payments", { orderId: order.id }, buyer)]);
    expect([200, 201]).toContain(returned.status);
    expect(await paymentsOf(order.id)).toHaveLength(1);
    expect(h.publishedOf("payment_created", order.id)).toHaveLength(1);
  });

  it("refunds once when the cancellation and the webhook are handled at the same time", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    h.holdWebhooks();
    await h.pay(sessionId);
    h.releaseWebhooks();
    const event = (await h.sandboxEvents()).find((e) => e.data.object.id === sessionId)!;
    await Promise.all([h.redeliver(event.id), cancelOrder(h, order), h.redeliver(event.id)]);
    expect(await paymentsOf(order.id)).toMatchObject([{ status: "refunded" }]);
    expect(await h.refundsOf(order.id)).toHaveLength(1);
    expect(h.publishedOf("payment_refunded", order.id)).toHaveLength(1);
  });

  it("retries a cancellation it could not finish while Stripe was down, and the cron backstop refunds meanwhile", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    await h.pay(sessionId);
    h.takeStripeDown();
    const failed = await h.deliver(orderEvent(order, "cancelled", 1));
    expect(failed.retryMessages).toHaveLength(1);
    expect(await paymentsOf(order.id)).toMatchObject([{ status: "paid" }]);

    h.takeStripeDown(false);
    await h.scheduled();
    expect(await paymentsOf(order.id)).toMatchObject([{ status: "refunded" }]);
    // The retried message then finds nothing left to do.
    await cancelOrder(h, order);
    expect(await h.refundsOf(order.id)).toHaveLength(1);
    expect(h.publishedOf("payment_refunded", order.id)).toHaveLength(1);
  });

  it("refunds through a redelivered webhook when the first delivery recorded the payment but could not refund", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    await db.batch([upsertOrder(db, orderEvent(order, "cancelled", 1).data)]);
    // Stripe accepts the payment, then refuses every refund for a while.
    h.beforeStripe(async (request) => {
      if (new URL(request.url).pathname === "/v1/refunds") throw new Error("connection reset");
    });
    await h.pay(sessionId);
    const event = (await h.sandboxEvents()).find((e) => e.data.object.id === sessionId)!;
    expect(event.delivery_status).toBe(503);
    expect(await paymentsOf(order.id)).toMatchObject([{ status: "paid" }]);

    h.beforeStripe(undefined);
    expect(await (await h.redeliver(event.id)).json()).toMatchObject({ delivery_status: 200 });
    expect(await paymentsOf(order.id)).toMatchObject([{ status: "refunded" }]);
    expect(await h.refundsOf(order.id)).toHaveLength(1);
  });
});
