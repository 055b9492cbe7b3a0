import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { vinyls } from "../../../schema/tables/orders";
import {
  cancelOrder,
  checkoutStarted,
  db,
  deliver,
  deliverEach,
  newUser,
  orderOf,
  orderRow,
  paymentCreated,
  placeOrder,
  recordingEnv,
  sale,
  vinylCreated,
  vinylOf,
  vinylUpdated,
  expectError,
} from "./client";

const replica = async (id: string) => (await db.select().from(vinyls).where(eq(vinyls.id, id)))[0];

describe("the vinyl replica", () => {
  it("takes the fields an order needs from vinyl_created, shipping included", async () => {
    const seller = await newUser();
    const vinyl = vinylOf(seller, {
      title: "Mingus Ah Um",
      priceCents: 1850,
      currency: "GBP",
      shipsFrom: "GB",
      shippingDomesticCents: 350,
      shippingInternationalCents: 1200,
    });
    await deliverEach([vinylCreated(vinyl)]);
    expect(await replica(vinyl.id)).toEqual({
      id: vinyl.id,
      userId: seller.id,
      title: "Mingus Ah Um",
      priceCents: 1850,
      currency: "GBP",
      status: "available",
      version: 0,
      shipsFrom: "GB",
      shippingDomesticCents: 350,
      shippingInternationalCents: 1200,
    });
  });

  it("takes a listing's new shipping from vinyl_updated, and the defaults from an event without shipping", async () => {
    const seller = await newUser();
    const { shipsFrom: _s, shippingDomesticCents: _d, shippingInternationalCents: _i, ...older } = vinylOf(seller, { title: "Older" });
    await deliverEach([vinylCreated(older)]);
    // A listing from before shipping existed: what catalog gave such listings.
    expect(await replica(older.id)).toMatchObject({ shipsFrom: "US", shippingDomesticCents: 500, shippingInternationalCents: null });
    const edited = vinylUpdated(older, { shipsFrom: "JP", shippingDomesticCents: 0, shippingInternationalCents: 2500 });
    await deliverEach([edited.event]);
    expect(await replica(older.id)).toMatchObject({ shipsFrom: "JP", shippingDomesticCents: 0, shippingInternationalCents: 2500, version: 1 });
    const noAbroad = vinylUpdated(edited.vinyl, { shippingInternationalCents: null });
    await deliverEach([noAbroad.event]);
    expect(await replica(older.id)).toMatchObject({ shipsFrom: "JP", shippingInternationalCents: null, version: 2 });
  });

  it("moves only to a newer version: an older update arriving late changes nothing", async () => {
    const { vinyl } = await sale({ title: "v0" });
    const v1 = vinylUpdated(vinyl, { title: "v1" });
    const v2 = vinylUpdated(v1.vinyl, { title: "v2", priceCents: 4000 });
    await deliverEach([v2.event, v1.event, vinylCreated(vinyl)]);
    expect(await replica(vinyl.id)).toMatchObject({ title: "v2", priceCents: 4000, version: 2 });
  });

  it("applies a duplicate delivery once, in one batch or in two", async () => {
    const { vinyl } = await sale();
    const v1 = vinylUpdated(vinyl, { title: "once" });
    const { ids, result } = await deliver([v1.event, v1.event]);
    expect(result.explicitAcks).toEqual(expect.arrayContaining(ids));
    await deliverEach([v1.event]);
    expect(await replica(vinyl.id)).toMatchObject({ title: "once", version: 1 });
  });
});

describe("a record withdrawn while an order for it is in flight", () => {
  it("ends a created order as cancelled, reason unavailable, and publishes order_cancelled", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    const recording = recordingEnv();
    await deliverEach([vinylUpdated(vinyl, { status: "withdrawn" }).event], recording.env);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "unavailable", version: 1 });
    const events = recording.published();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "order_cancelled",
      version: 1,
      data: { id: order.id, status: "cancelled", cancelReason: "unavailable", version: 1 },
    });
  });

  it("ends an order awaiting payment the same way, before it can be paid", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    await deliverEach([checkoutStarted(order), vinylUpdated(vinyl, { status: "withdrawn" }).event]);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "unavailable", version: 2 });
    // The payment that still arrives changes nothing here; payments refunds it.
    await deliverEach([paymentCreated(order)]);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "unavailable", version: 2 });
  });

  it("leaves a paid order complete", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    await deliverEach([paymentCreated(order)]);
    const recording = recordingEnv();
    await deliverEach([vinylUpdated(vinyl, { status: "withdrawn" }).event], recording.env);
    expect(await orderRow(order.id)).toMatchObject({ status: "complete", cancelReason: null, version: 1 });
    expect(recording.published()).toEqual([]);
  });

  it("leaves an order already cancelled for another reason as it was, and publishes nothing", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    await cancelOrder(buyer, order.id);
    const recording = recordingEnv();
    await deliverEach([vinylUpdated(vinyl, { status: "withdrawn" }).event], recording.env);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "buyer", version: 1 });
    expect(recording.published()).toEqual([]);
  });

  it("cancels nothing for an update that does not withdraw the record", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    await deliverEach([vinylUpdated(vinyl, { status: "reserved", orderId: order.id }).event]);
    expect(await orderRow(order.id)).toMatchObject({ status: "created", cancelReason: null, version: 0 });
  });

  it("refuses new orders for the record from then on", async () => {
    const { buyer, vinyl } = await sale();
    await orderOf(buyer, vinyl.id);
    await deliverEach([vinylUpdated(vinyl, { status: "withdrawn" }).event]);
    await expectError(await placeOrder(await newUser(), vinyl.id), 409, "Vinyl is not available");
    await expectError(await placeOrder(buyer, vinyl.id), 409, "Vinyl is not available");
  });

  it("cancels nothing when a stale withdrawn version arrives after a newer one", async () => {
    const { buyer, vinyl } = await sale();
    const withdrawn = vinylUpdated(vinyl, { status: "withdrawn" });
    // Out of order: the newer (available again, in this made-up history) first, then the stale withdrawal.
    const newer = vinylUpdated(withdrawn.vinyl, { status: "available" });
    await deliverEach([newer.event]);
    const order = await orderOf(buyer, vinyl.id);
    await deliverEach([withdrawn.event]);
    expect(await orderRow(order.id)).toMatchObject({ status: "created" });
    expect(await replica(vinyl.id)).toMatchObject({ status: "available", version: 2 });
  });
});
