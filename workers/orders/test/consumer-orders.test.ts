import { describe, expect, it } from "vitest";
import { createEvent } from "../../../schema/events";
import { retryDelay } from "../../shared/src/messaging";
import {
  cancelOrder,
  checkoutStarted,
  deliver,
  deliverEach,
  expirationComplete,
  orderOf,
  orderRow,
  paymentCreated,
  paymentRefunded,
  placeOrder,
  recordingEnv,
  sale,
  newUser,
  type OrderJson,
} from "./client";

const fresh = async () => {
  const { buyer, vinyl } = await sale();
  return { buyer, vinyl, order: await orderOf(buyer, vinyl.id) };
};

describe("checkout_started", () => {
  it("moves a created order to awaiting_payment, version + 1, publishing nothing", async () => {
    const { order } = await fresh();
    const recording = recordingEnv();
    await deliverEach([checkoutStarted(order)], recording.env);
    expect(await orderRow(order.id)).toMatchObject({ status: "awaiting_payment", cancelReason: null, version: 1 });
    expect(recording.published()).toEqual([]);
  });

  it("changes nothing for an order that is no longer created", async () => {
    const { buyer, order } = await fresh();
    await deliverEach([checkoutStarted(order)]);
    await deliverEach([checkoutStarted(order)]);
    expect(await orderRow(order.id)).toMatchObject({ status: "awaiting_payment", version: 1 });
    await cancelOrder(buyer, order.id);
    await deliverEach([checkoutStarted(order)]);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", version: 2 });
  });
});

describe("payment_created", () => {
  it.each([
    ["created", []],
    ["awaiting_payment", ["checkout"]],
  ])("completes a live %s order and publishes order_completed with the new version", async (_status, before) => {
    const { order } = await fresh();
    if (before.length) await deliverEach([checkoutStarted(order)]);
    const recording = recordingEnv();
    await deliverEach([paymentCreated(order)], recording.env);
    const version = before.length + 1;
    expect(await orderRow(order.id)).toMatchObject({ status: "complete", cancelReason: null, version });
    const events = recording.published();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "order_completed", version, data: { id: order.id, status: "complete", version } });
  });

  it("leaves a cancelled order cancelled: payments refunds that payment", async () => {
    const { buyer, order } = await fresh();
    await cancelOrder(buyer, order.id);
    const recording = recordingEnv();
    await deliverEach([paymentCreated(order)], recording.env);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "buyer", version: 1 });
    expect(recording.published()).toEqual([]);
  });

  it("keeps a completed record sold: nobody else can order it", async () => {
    const { buyer, vinyl, order } = await fresh();
    await deliverEach([paymentCreated(order)]);
    const res = await placeOrder(await newUser(), vinyl.id);
    expect(res.status).toBe(409);
    const own = await placeOrder(buyer, vinyl.id);
    expect(own.status).toBe(200);
    expect((await own.json<OrderJson>()).status).toBe("complete");
  });

  it("completes once when a second payment for the same order arrives", async () => {
    const { order } = await fresh();
    const recording = recordingEnv();
    await deliverEach([paymentCreated(order), paymentCreated(order)], recording.env);
    expect(await orderRow(order.id)).toMatchObject({ status: "complete", version: 1 });
    expect(recording.published().map((e) => e.type)).toEqual(["order_completed"]);
  });
});

describe("payment_refunded", () => {
  it("records the refund on the order without changing its status or version", async () => {
    const { buyer, order } = await fresh();
    await cancelOrder(buyer, order.id);
    const refund = paymentRefunded(order);
    await deliverEach([paymentCreated(order), refund]);
    expect(await orderRow(order.id)).toMatchObject({
      status: "cancelled",
      version: 1,
      refundedAt: new Date(refund.occurredAt).toISOString(),
    });
  });

  it("keeps the first refund's time when another arrives", async () => {
    const { order } = await fresh();
    const first = paymentRefunded(order);
    await deliverEach([first]);
    await deliverEach([createEvent("payment_refunded", "payments", first.data, 1, new Date(Date.now() + 60_000))]);
    expect((await orderRow(order.id))!.refundedAt).toBe(new Date(first.occurredAt).toISOString());
  });
});

describe("expiration_complete", () => {
  it.each([
    ["created", false],
    ["awaiting_payment", true],
  ])("cancels a %s order as expired and publishes order_cancelled", async (_status, checkout) => {
    const { order } = await fresh();
    if (checkout) await deliverEach([checkoutStarted(order)]);
    const recording = recordingEnv();
    await deliverEach([expirationComplete(order)], recording.env);
    const version = checkout ? 2 : 1;
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "expired", version });
    expect(recording.published()).toEqual([
      expect.objectContaining({ type: "order_cancelled", version, data: expect.objectContaining({ cancelReason: "expired", version }) }),
    ]);
  });

  it("frees the record for another buyer", async () => {
    const { vinyl, order } = await fresh();
    await deliverEach([expirationComplete(order)]);
    expect((await placeOrder(await newUser(), vinyl.id)).status).toBe(201);
  });

  it("changes nothing and publishes nothing for an order already paid", async () => {
    const { order } = await fresh();
    await deliverEach([paymentCreated(order)]);
    const recording = recordingEnv();
    await deliverEach([expirationComplete(order)], recording.env);
    expect(await orderRow(order.id)).toMatchObject({ status: "complete", cancelReason: null, version: 1 });
    expect(recording.published()).toEqual([]);
  });

  it("changes nothing and publishes nothing for an order already cancelled", async () => {
    const { buyer, order } = await fresh();
    await cancelOrder(buyer, order.id);
    const recording = recordingEnv();
    await deliverEach([expirationComplete(order)], recording.env);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "buyer", version: 1 });
    expect(recording.published()).toEqual([]);
  });

  it("cancels once when the alarm rang twice: the second event changes nothing", async () => {
    const { order } = await fresh();
    const recording = recordingEnv();
    // Two deliveries of one event, and a second event from a second run of the alarm.
    const first = expirationComplete(order);
    await deliverEach([first, first, expirationComplete(order, 1500)], recording.env);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "expired", version: 1 });
    expect(recording.published().map((e) => e.type)).toEqual(["order_cancelled"]);
  });

  it("is retried, not applied, when it claims the hold ended before expiresAt", async () => {
    const { order } = await fresh();
    const early = expirationComplete(order, -60_000);
    const { ids, result, retries } = await deliver([early]);
    expect(result.explicitAcks).toEqual([]);
    expect(retries).toEqual([{ msgId: ids[0], delaySeconds: retryDelay(1) }]);
    expect(await orderRow(order.id)).toMatchObject({ status: "created", version: 0 });
  });

  it("keeps a payment that arrives after the expiration from completing the order", async () => {
    const { order } = await fresh();
    await deliverEach([expirationComplete(order), paymentCreated(order)]);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "expired", version: 1 });
  });
});

describe("a message that can never apply", () => {
  const unknownOrder = {
    id: crypto.randomUUID(),
    userId: crypto.randomUUID(),
    status: "created" as const,
    cancelReason: null,
    expiresAt: "2026-01-01T00:15:00.000Z",
    vinyl: { id: crypto.randomUUID(), title: "x", price: 1, currency: "USD" },
    version: 0,
    createdAt: "2026-01-01T00:00:00.000Z",
  };

  it.each([
    ["a body that breaks the envelope contract", { id: "nope", type: "payment_created" }],
    ["checkout_started for an order orders never created", checkoutStarted(unknownOrder)],
    ["payment_created for an unknown order", paymentCreated(unknownOrder)],
    ["payment_refunded for an unknown order", paymentRefunded(unknownOrder)],
    ["expiration_complete for an unknown order", expirationComplete(unknownOrder)],
    [
      "an event type orders does not subscribe to",
      createEvent("order_created", "orders", { ...unknownOrder, sellerId: crypto.randomUUID(), vinyl: { ...unknownOrder.vinyl, priceCents: 100 } }, 0),
    ],
  ])("goes to the dead-letter queue at once, acked and not retried: %s", async (_name, body) => {
    const recording = recordingEnv();
    const { ids, result } = await deliver([body], recording.env);
    expect(result.explicitAcks).toEqual(ids);
    expect(result.retryMessages).toEqual([]);
    expect(recording.deadLetters).toEqual([body]);
  });
});
