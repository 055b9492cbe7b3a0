import { describe, expect, it } from "vitest";
import {
  cancelOrder,
  checkoutStarted,
  deliverEach,
  expectError,
  expirationComplete,
  newUser,
  orderOf,
  orderRow,
  paymentCreated,
  placeOrder,
  recordingEnv,
  sale,
} from "./client";

describe("DELETE /api/orders/:id", () => {
  it("cancels the buyer's order: 204, status cancelled, reason buyer, version + 1", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    const res = await cancelOrder(buyer, order.id);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "buyer", version: 1 });
  });

  it("publishes order_cancelled with the new version to catalog, payments and expiration", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    const recording = recordingEnv();
    await cancelOrder(buyer, order.id, recording.env);
    const events = recording.published();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "order_cancelled",
      version: 1,
      data: { id: order.id, status: "cancelled", cancelReason: "buyer", version: 1, expiresAt: order.expiresAt },
    });
  });

  it("cancels an order awaiting payment too", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    await deliverEach([checkoutStarted(order)]);
    expect((await cancelOrder(buyer, order.id)).status).toBe(204);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "buyer", version: 2 });
  });

  it("frees the record at once: another buyer can order it", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    await cancelOrder(buyer, order.id);
    expect((await placeOrder(await newUser(), vinyl.id)).status).toBe(201);
  });

  it("answers 204 and changes nothing when the order is already cancelled, whatever the reason", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    await cancelOrder(buyer, order.id);
    const recording = recordingEnv();
    expect((await cancelOrder(buyer, order.id, recording.env)).status).toBe(204);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "buyer", version: 1 });

    const expired = await sale();
    const lapsed = await orderOf(expired.buyer, expired.vinyl.id);
    await deliverEach([expirationComplete(lapsed)]);
    expect((await cancelOrder(expired.buyer, lapsed.id, recording.env)).status).toBe(204);
    expect(await orderRow(lapsed.id)).toMatchObject({ status: "cancelled", cancelReason: "expired", version: 1 });
    expect(recording.published()).toEqual([]);
  });

  describe("errors, in the contract's order: 401 → 404 → 403 → 409", () => {
    it("answers 401 when not signed in", async () => {
      const { buyer, vinyl } = await sale();
      const order = await orderOf(buyer, vinyl.id);
      const res = await expectError(await cancelOrder({ ...buyer, cookie: "" }, order.id), 401);
      expect(res).toEqual({ errors: [{ message: "You must be signed in" }] });
      expect(await orderRow(order.id)).toMatchObject({ status: "created" });
    });

    it("answers 404 for an unknown or malformed id", async () => {
      const user = await newUser();
      await expectError(await cancelOrder(user, crypto.randomUUID()), 404, "Order not found");
      await expectError(await cancelOrder(user, "12345"), 404, "Order not found");
    });

    it("answers 403 for someone else's order and leaves it as it was, even when it is complete", async () => {
      const { buyer, vinyl } = await sale();
      const order = await orderOf(buyer, vinyl.id);
      const stranger = await newUser();
      await expectError(await cancelOrder(stranger, order.id), 403, "You can only cancel your own orders");
      expect(await orderRow(order.id)).toMatchObject({ status: "created", version: 0 });
      await deliverEach([paymentCreated(order)]);
      await expectError(await cancelOrder(stranger, order.id), 403);
    });

    it("answers 409 `Cannot cancel a completed order` to the buyer of a paid order, which stays complete", async () => {
      const { buyer, vinyl } = await sale();
      const order = await orderOf(buyer, vinyl.id);
      await deliverEach([paymentCreated(order)]);
      const recording = recordingEnv();
      await expectError(await cancelOrder(buyer, order.id, recording.env), 409, "Cannot cancel a completed order");
      expect(await orderRow(order.id)).toMatchObject({ status: "complete", cancelReason: null, version: 1 });
      expect(recording.published()).toEqual([]);
    });
  });
});
