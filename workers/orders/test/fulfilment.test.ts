import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { AUTO_DELIVER_DAYS } from "../../../schema/vocabulary";
import { fulfilments } from "../../../schema/tables/orders";
import worker from "../src/index";
import {
  cancelOrder,
  confirmDelivery,
  db,
  deliverEach,
  expectError,
  get,
  newUser,
  orderOf,
  paidSale,
  paymentCreated,
  putAddress,
  recordingEnv,
  sale,
  ship,
  type OrderJson,
} from "./client";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Runs the minute cron as if it fired at `at`, and waits for the relays it started. */
async function cronAt(at: number, testEnv: Env) {
  const ctx = createExecutionContext();
  await worker.scheduled!(createScheduledController({ cron: "* * * * *", scheduledTime: at }), testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

const fulfilmentRow = async (orderId: string) => (await db.select().from(fulfilments).where(eq(fulfilments.orderId, orderId)))[0];

describe("a paid order", () => {
  it("waits to be shipped, from when payments recorded the payment, announced by order_completed", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    await putAddress(buyer, order.id);
    const recording = recordingEnv();
    const paid = paymentCreated(order);
    await deliverEach([paid], recording.env);
    const view = await (await get(`/api/orders/${order.id}`, buyer)).json<OrderJson>();
    expect(view).toMatchObject({ status: "complete", fulfilment: "to_ship", paidAt: paid.occurredAt, shipment: null, deliveredAt: null, version: 2 });
    const [completed] = recording.published(order.id);
    expect(completed).toMatchObject({
      type: "order_completed",
      version: 2,
      data: { status: "complete", fulfilment: "to_ship", shippingCents: 500, totalCents: 3099, shipment: null, deliveredAt: null },
    });
  });

  it("gets one fulfilment however often the payment arrives", async () => {
    const { buyer, order } = await paidSale();
    await deliverEach([paymentCreated(order), paymentCreated(order)]);
    expect(await fulfilmentRow(order.id)).toMatchObject({ status: "to_ship", paidAt: order.paidAt });
    expect(await (await get(`/api/orders/${order.id}`, buyer)).json()).toEqual(order);
  });

  it("is not to ship when the payment came for a cancelled order", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    await cancelOrder(buyer, order.id);
    await deliverEach([paymentCreated(order)]);
    expect(await fulfilmentRow(order.id)).toBeUndefined();
    expect(await (await get(`/api/orders/${order.id}`, buyer)).json()).toMatchObject({ status: "cancelled", fulfilment: null, paidAt: null });
  });
});

describe("POST /api/orders/:id/shipment", () => {
  it("marks the order shipped with carrier, tracking number and time, and announces it to payments", async () => {
    const { seller, buyer, order } = await paidSale();
    const recording = recordingEnv();
    const before = new Date().toISOString();
    const res = await ship(seller, order.id, { carrier: " DHL ", trackingNumber: "JJD0099999999" }, recording.env);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const shipped = await res.json<OrderJson>();
    expect(shipped).toMatchObject({ fulfilment: "shipped", shipment: { carrier: "DHL", trackingNumber: "JJD0099999999" }, deliveredAt: null, version: 3 });
    expect(shipped.shipment!.shippedAt >= before).toBe(true);
    // The buyer sees the same tracking.
    expect(await (await get(`/api/orders/${order.id}`, buyer)).json()).toMatchObject({ shipment: shipped.shipment, fulfilment: "shipped" });
    const [event, ...more] = recording.published(order.id);
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      type: "order_updated",
      version: 3,
      data: { status: "complete", fulfilment: "shipped", shipment: shipped.shipment, deliveredAt: null, totalCents: 3099, version: 3 },
    });
    expect(recording.sentTo.catalog).toEqual([]);
  });

  it("answers 409 when shipped twice, and changes nothing the second time", async () => {
    const { seller, order } = await paidSale();
    expect((await ship(seller, order.id)).status).toBe(200);
    const recording = recordingEnv();
    await expectError(await ship(seller, order.id, { carrier: "Other", trackingNumber: "2" }, recording.env), 409, "Order has already been shipped");
    expect(recording.published()).toEqual([]);
    expect(await fulfilmentRow(order.id)).toMatchObject({ carrier: "UPS" });
  });

  it("answers 409 for an unpaid order and for a delivered one", async () => {
    const { seller, buyer, vinyl } = await sale();
    const unpaid = await orderOf(buyer, vinyl.id);
    await expectError(await ship(seller, unpaid.id), 409, "Only a paid order can be shipped");
    const paid = await paidSale();
    await ship(paid.seller, paid.order.id);
    await confirmDelivery(paid.buyer, paid.order.id);
    await expectError(await ship(paid.seller, paid.order.id), 409, "Order has already been delivered");
  });

  it("answers 403 to the buyer and to strangers", async () => {
    const { buyer, order } = await paidSale();
    await expectError(await ship(buyer, order.id), 403, "Only the seller can do this");
    await expectError(await ship(await newUser(), order.id), 403);
    expect(await fulfilmentRow(order.id)).toMatchObject({ status: "to_ship" });
  });

  it("answers 401, then 400 per field, then 404", async () => {
    const { seller, order } = await paidSale();
    await expectError(await ship({ ...seller, cookie: "" }, order.id), 401);
    const error = await expectError(await ship(seller, order.id, { carrier: "", trackingNumber: "x".repeat(101) }), 400);
    expect(error.errors).toEqual([
      { field: "carrier", message: "Carrier is required" },
      { field: "trackingNumber", message: "Tracking number must be at most 100 characters" },
    ]);
    await expectError(await ship(seller, order.id, {}), 400);
    await expectError(await ship(seller, crypto.randomUUID()), 404, "Order not found");
    await expectError(await ship(seller, "nope"), 404, "Order not found");
  });
});

describe("POST /api/orders/:id/delivery", () => {
  it("marks a shipped order delivered for its buyer, announced to payments", async () => {
    const { seller, buyer, order } = await paidSale();
    await ship(seller, order.id);
    const recording = recordingEnv();
    const res = await confirmDelivery(buyer, order.id, recording.env);
    expect(res.status).toBe(200);
    const delivered = await res.json<OrderJson>();
    expect(delivered).toMatchObject({ fulfilment: "delivered", deliveredAt: expect.any(String), shipment: { carrier: "UPS" }, version: 4 });
    const [event] = recording.published(order.id);
    // The shipment, read back from the row for this event, is still an object.
    expect(event).toMatchObject({
      type: "order_updated",
      version: 4,
      data: { fulfilment: "delivered", deliveredAt: delivered.deliveredAt, shipment: delivered.shipment },
    });
  });

  it("answers 409 before shipping and after delivery", async () => {
    const { seller, buyer, order } = await paidSale();
    await expectError(await confirmDelivery(buyer, order.id), 409, "Order has not been shipped yet");
    await ship(seller, order.id);
    await confirmDelivery(buyer, order.id);
    await expectError(await confirmDelivery(buyer, order.id), 409, "Order is already marked delivered");
    const other = await sale();
    const unpaid = await orderOf(other.buyer, other.vinyl.id);
    await expectError(await confirmDelivery(other.buyer, unpaid.id), 409, "Order is not paid");
  });

  it("answers 403 to the seller and to strangers, 404 for unknown ids, 401 signed out", async () => {
    const { seller, order } = await paidSale();
    await ship(seller, order.id);
    await expectError(await confirmDelivery(seller, order.id), 403, "Only the buyer can do this");
    await expectError(await confirmDelivery(await newUser(), order.id), 403);
    await expectError(await confirmDelivery(seller, crypto.randomUUID()), 404);
    await expectError(await confirmDelivery(seller, "x"), 404);
    await expectError(await confirmDelivery({ ...seller, cookie: "" }, order.id), 401);
    expect(await fulfilmentRow(order.id)).toMatchObject({ status: "shipped", deliveredAt: null });
  });
});

describe("the cron's automatic delivery", () => {
  it(`marks a shipment delivered ${AUTO_DELIVER_DAYS} days after shipping, as of the cron's time, announcing it`, async () => {
    const { seller, order } = await paidSale();
    const shipped = await (await ship(seller, order.id)).json<OrderJson>();
    const shippedAt = Date.parse(shipped.shipment!.shippedAt);
    const early = recordingEnv();
    await cronAt(shippedAt + AUTO_DELIVER_DAYS * DAY_MS - 1000, early.env);
    expect(await fulfilmentRow(order.id)).toMatchObject({ status: "shipped" });
    expect(early.published(order.id)).toEqual([]);

    const due = shippedAt + AUTO_DELIVER_DAYS * DAY_MS + 1000;
    const late = recordingEnv();
    await cronAt(due, late.env);
    expect(await fulfilmentRow(order.id)).toMatchObject({ status: "delivered", deliveredAt: new Date(due).toISOString() });
    expect(late.published(order.id)).toMatchObject([{ type: "order_updated", version: 4, data: { fulfilment: "delivered", deliveredAt: new Date(due).toISOString() } }]);
    // A later run finds nothing more to do.
    const again = recordingEnv();
    await cronAt(due + DAY_MS, again.env);
    expect(again.published(order.id)).toEqual([]);
  });

  it("leaves orders to ship, already delivered ones and unpaid ones alone however late it runs", async () => {
    const toShip = await paidSale();
    const confirmed = await paidSale();
    await ship(confirmed.seller, confirmed.order.id);
    const delivered = await (await confirmDelivery(confirmed.buyer, confirmed.order.id)).json<OrderJson>();
    const recording = recordingEnv();
    await cronAt(Date.now() + 10 * AUTO_DELIVER_DAYS * DAY_MS, recording.env);
    expect(await fulfilmentRow(toShip.order.id)).toMatchObject({ status: "to_ship" });
    expect(await fulfilmentRow(confirmed.order.id)).toMatchObject({ status: "delivered", deliveredAt: delivered.deliveredAt });
    expect(recording.published(toShip.order.id)).toEqual([]);
    expect(recording.published(confirmed.order.id)).toEqual([]);
  });
});
