import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { orders } from "../../../schema/tables/payments";
import { checkoutInProgress, db, openCheckout, orderUpdated, paymentsOf, sessionsOf } from "./harness";

const replica = async (id: string) => (await db.select().from(orders).where(eq(orders.id, id)))[0];

describe("an order whose total changes while its checkout is open", () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation(() => {});

  it("takes the new shipping and total from order_updated, and expires the session charging the old total", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    const moved = { ...order, shippingCents: 1200 };
    const result = await h.deliver(orderUpdated(moved, 1));
    expect(result.retryMessages).toEqual([]);
    expect(await replica(order.id)).toMatchObject({ shippingCents: 1200, totalCents: 3700, version: 1 });
    expect(await h.stripe.checkout.sessions.retrieve(sessionId)).toMatchObject({ status: "expired" });
    expect((await sessionsOf(order.id)).map((s) => s.status)).toEqual(["expired"]);
    const expiring = (await h.stripeRequests(order.id)).filter((r) => r.path.endsWith("/expire"));
    expect(expiring.map((r) => r.idempotencyKey)).toEqual([`expire:${sessionId}`]);

    // The next Pay opens a session for the new total.
    const next = await openCheckout(h, buyer, order.id);
    expect(next.sessionId).not.toBe(sessionId);
    const lines = await h.stripe.checkout.sessions.listLineItems(next.sessionId);
    expect(lines.data.map((l) => [l.description, l.amount_total])).toEqual([
      ["Kind of Blue", 2500],
      ["Shipping", 1200],
    ]);
    expect((await h.stripe.checkout.sessions.retrieve(next.sessionId)).amount_total).toBe(3700);
  });

  it("leaves the session open when the total stays the same (a new address at the same price)", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    await h.deliver(orderUpdated(order, 1));
    expect(await h.stripe.checkout.sessions.retrieve(sessionId)).toMatchObject({ status: "open" });
    expect((await openCheckout(h, buyer, order.id)).sessionId).toBe(sessionId);
  });

  it("ignores an older order_updated arriving late", async () => {
    const { h, buyer, order } = await checkoutInProgress();
    await h.deliver(orderUpdated({ ...order, shippingCents: 900 }, 3));
    const current = await openCheckout(h, buyer, order.id);
    await h.deliver(orderUpdated({ ...order, shippingCents: 100 }, 2));
    expect(await replica(order.id)).toMatchObject({ totalCents: 3400, version: 3 });
    expect(await h.stripe.checkout.sessions.retrieve(current.sessionId)).toMatchObject({ status: "open", amount_total: 3400 });
  });

  it("retries when Stripe is down, and checkout itself never hands out a session for the old total meanwhile", async () => {
    const { h, buyer, order, sessionId } = await checkoutInProgress();
    h.takeStripeDown();
    const failed = await h.deliver(orderUpdated({ ...order, shippingCents: 0 }, 1));
    expect(failed.retryMessages).toHaveLength(1);
    // The replica already has the new total; the old session is still open at Stripe.
    expect(await replica(order.id)).toMatchObject({ totalCents: 2500 });
    h.takeStripeDown(false);
    expect(await h.stripe.checkout.sessions.retrieve(sessionId)).toMatchObject({ status: "open", amount_total: 2950 });

    const next = await openCheckout(h, buyer, order.id);
    expect(next.sessionId).not.toBe(sessionId);
    expect(await h.stripe.checkout.sessions.retrieve(next.sessionId)).toMatchObject({ status: "open", amount_total: 2500 });
    expect(await h.stripe.checkout.sessions.retrieve(sessionId)).toMatchObject({ status: "expired" });
    // The retried message finds nothing left to expire.
    expect((await h.deliver(orderUpdated({ ...order, shippingCents: 0 }, 1))).retryMessages).toEqual([]);
    expect(await h.stripe.checkout.sessions.retrieve(next.sessionId)).toMatchObject({ status: "open" });
  });

  it("records a payment the buyer made before the new total arrived, at the amount the checkout showed", async () => {
    const { h, order, sessionId } = await checkoutInProgress();
    h.holdWebhooks();
    expect((await h.pay(sessionId)).status).toBe(200);
    await h.deliver(orderUpdated({ ...order, shippingCents: 1500 }, 1));
    const [payment] = await paymentsOf(order.id);
    expect(payment).toMatchObject({ stripeSessionId: sessionId, amountCents: 2950, status: "paid" });
    expect(h.publishedOf("payment_created", order.id)).toHaveLength(1);
  });
});
