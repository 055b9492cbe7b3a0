import { describe, expect, it, vi } from "vitest";
import { upsertOrder } from "../src/order-replica";
import { cancelOrder, db, expectError, harness, newUser, openCheckout, orderEvent, paymentsOf, placedOrder, type PaymentBody, checkoutInProgress } from "./harness";

describe("POST /api/payments", () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});

  it("re-reads the session from Stripe: 201 when this call recorded the payment, then 200 with the same body", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    // The webhook has not arrived yet: the buyer's return page asks first.
    h.holdWebhooks();
    await h.pay(sessionId);
    const first = await h.send("POST", "/api/payments", { orderId: order.id }, buyer);
    expect(first.status).toBe(201);
    const body = await first.json<PaymentBody>();
    const [payment] = await paymentsOf(order.id);
    expect(body).toEqual({ id: payment!.id, orderId: order.id, status: "paid" });
    expect(h.publishedOf("payment_created", order.id)).toHaveLength(1);

    const again = await h.send("POST", "/api/payments", { orderId: order.id }, buyer);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(body);

    // The webhook arriving late finds the payment recorded.
    h.releaseWebhooks();
    const event = (await h.sandboxEvents()).find((e) => e.data.object.id === sessionId)!;
    await h.redeliver(event.id);
    expect(await paymentsOf(order.id)).toHaveLength(1);
    expect(h.publishedOf("payment_created", order.id)).toHaveLength(1);
  });

  it("answers 200 when the webhook recorded the payment first", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    await h.pay(sessionId);
    const res = await h.send("POST", "/api/payments", { orderId: order.id }, buyer);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: (await paymentsOf(order.id))[0]!.id, orderId: order.id, status: "paid" });
  });

  it("answers 402 Payment not completed while Stripe says the session is unpaid, after a declined card too", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer);
    await expectError(await h.send("POST", "/api/payments", { orderId: order.id }, buyer), 402, "Payment not completed");
    const { sessionId } = await openCheckout(h, buyer, order.id);
    await expectError(await h.send("POST", "/api/payments", { orderId: order.id }, buyer), 402, "Payment not completed");
    expect((await h.pay(sessionId, "4000 0000 0000 0002")).status).toBe(402);
    await expectError(await h.send("POST", "/api/payments", { orderId: order.id }, buyer), 402, "Payment not completed");
    expect(await paymentsOf(order.id)).toEqual([]);
    expect(h.publishedOf("payment_created", order.id)).toEqual([]);
  });

  it("answers 409 for a cancelled order, refunding once a payment Stripe took anyway", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    h.holdWebhooks();
    await h.pay(sessionId);
    // The cancellation reached the replica, but its consumer has not run the checkout's close yet.
    await db.batch([upsertOrder(db, orderEvent(order, "cancelled", 1).data)]);

    await expectError(await h.send("POST", "/api/payments", { orderId: order.id }, buyer), 409, "Order is cancelled");
    expect(await paymentsOf(order.id)).toMatchObject([{ status: "refunded" }]);
    expect(await h.refundsOf(order.id)).toHaveLength(1);
    expect(h.publishedOf("payment_created", order.id)).toEqual([]);
    expect(h.publishedOf("payment_refunded", order.id)).toHaveLength(1);
    await expectError(await h.send("POST", "/api/payments", { orderId: order.id }, buyer), 409, "Order is cancelled");
    expect(await h.refundsOf(order.id)).toHaveLength(1);
    expect(h.publishedOf("payment_refunded", order.id)).toHaveLength(1);
  });

  it("answers 409 for a cancelled order with nothing paid, and no refund", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer);
    await openCheckout(h, buyer, order.id);
    await cancelOrder(h, order);
    await expectError(await h.send("POST", "/api/payments", { orderId: order.id }, buyer), 409, "Order is cancelled");
    expect(await paymentsOf(order.id)).toEqual([]);
  });

  it("checks in the contract's order: 401, then 400, then 404, then 403", async () => {
    const h = harness();
    const buyer = await newUser();
    const order = await placedOrder(h, buyer);
    await expectError(await h.send("POST", "/api/payments", { orderId: order.id }), 401);
    const invalid = await expectError(await h.send("POST", "/api/payments", { order: order.id }, buyer), 400);
    expect(invalid.errors).toEqual([{ field: "orderId", message: "orderId is required" }]);
    await expectError(await h.send("POST", "/api/payments", { orderId: crypto.randomUUID() }, buyer), 404, "Order not found");
    await expectError(await h.send("POST", "/api/payments", { orderId: order.id }, await newUser()), 403);
  });

  it("never marks a payment from what the browser says", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    const res = await h.send("POST", "/api/payments", { orderId: order.id, sessionId, status: "paid", paymentStatus: "paid" }, buyer);
    await expectError(res, 402, "Payment not completed");
    expect(await paymentsOf(order.id)).toEqual([]);
  });
});
