import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  cancelOrder,
  deliverEach,
  expectError,
  listed,
  newUser,
  orderOf,
  orderRow,
  placeOrder,
  recordingEnv,
  sale,
  send,
  vinylOf,
  vinylUpdated,
  type OrderJson,
  profileOf,
} from "./client";

const HOLD_MS = Number(env.HOLD_SECONDS) * 1000;

describe("POST /api/orders", () => {
  it("creates an order for an available record: 201, status created, the record's snapshot, a hold of HOLD_SECONDS", async () => {
    const { seller, buyer, vinyl } = await sale({ title: "Blue Train", priceCents: 1999, currency: "EUR" });
    await profileOf(seller, "blue-note-seller", "Blue Note Seller");
    const before = Date.now();
    const res = await placeOrder(buyer, vinyl.id);
    const after = Date.now();
    expect(res.status).toBe(201);
    const order = await res.json<OrderJson>();
    expect(order).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      userId: buyer.id,
      sellerId: seller.id,
      seller: { username: "blue-note-seller", displayName: "Blue Note Seller" },
      // No profile of the buyer has reached orders.
      buyer: null,
      status: "created",
      cancelReason: null,
      expiresAt: expect.any(String),
      vinyl: { id: vinyl.id, title: "Blue Train", price: 19.99, currency: "EUR" },
      shipping: null,
      total: null,
      shippingAddress: null,
      fulfilment: null,
      paidAt: null,
      shipment: null,
      deliveredAt: null,
      feedback: null,
      version: 0,
      createdAt: expect.any(String),
    });
    expect(Object.keys(order)).toEqual([
      "id", "userId", "sellerId", "seller", "buyer", "status", "cancelReason", "expiresAt", "vinyl", "shipping", "total",
      "shippingAddress", "fulfilment", "paidAt", "shipment", "deliveredAt", "feedback", "version", "createdAt",
    ]);
    expect(HOLD_MS).toBe(900_000);
    const expiresAt = Date.parse(order.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + HOLD_MS);
    expect(expiresAt).toBeLessThanOrEqual(after + HOLD_MS);
    expect(expiresAt - Date.parse(order.createdAt)).toBe(HOLD_MS);
    expect(res.headers.get("location")).toBe(`/api/orders/${order.id}`);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
  });

  it("publishes order_created with the order's version to catalog, payments and expiration", async () => {
    const { buyer, vinyl } = await sale({ priceCents: 4250 });
    const recording = recordingEnv();
    const res = await placeOrder(buyer, vinyl.id, recording.env);
    const order = await res.json<OrderJson>();
    const [event, ...more] = recording.published();
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      type: "order_created",
      source: "orders",
      version: 0,
      data: {
        id: order.id,
        userId: buyer.id,
        status: "created",
        cancelReason: null,
        expiresAt: order.expiresAt,
        vinyl: { id: vinyl.id, title: vinyl.title, priceCents: 4250, currency: "USD" },
        version: 0,
        createdAt: order.createdAt,
      },
    });
    expect(recording.sentTo.expiration).toHaveLength(1);
  });

  it("answers 200 with the caller's own live order when they order the same record again", async () => {
    const { buyer, vinyl } = await sale();
    const first = await orderOf(buyer, vinyl.id);
    const recording = recordingEnv();
    const again = await placeOrder(buyer, vinyl.id, recording.env);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(first);
    expect(recording.published()).toEqual([]);
  });

  it("keeps the price and title the record had when ordered, whatever the listing says later", async () => {
    const { seller, buyer } = await sale();
    const vinyl = await listed(vinylOf(seller, { title: "Giant Steps", priceCents: 3000 }));
    const order = await orderOf(buyer, vinyl.id);
    await deliverEach([vinylUpdated(vinyl, { status: "reserved", orderId: order.id, title: "Giant Steps (remaster)", priceCents: 9900 }).event]);
    const res = await send("GET", `/api/orders/${order.id}`, undefined, buyer);
    expect((await res.json<OrderJson>()).vinyl).toEqual({ id: vinyl.id, title: "Giant Steps", price: 30, currency: "USD" });
  });

  it("lets another buyer order a record once its order was cancelled, even while catalog still says reserved", async () => {
    const { buyer, vinyl } = await sale();
    const first = await orderOf(buyer, vinyl.id);
    // Catalog's view arrives late: the replica says reserved by the first order.
    await deliverEach([vinylUpdated(vinyl, { status: "reserved", orderId: first.id }).event]);
    expect((await cancelOrder(buyer, first.id)).status).toBe(204);
    const other = await newUser();
    const res = await placeOrder(other, vinyl.id);
    expect(res.status).toBe(201);
    // The first buyer's cancelled order is history, not a hold: they may order again after the winner lets go.
    const retry = await placeOrder(buyer, vinyl.id);
    await expectError(retry, 409, "Vinyl is not available");
  });

  describe("errors, in the contract's order: 401 → 400 → 404 → 403 → 409", () => {
    it("answers 401 when not signed in, before looking at the body", async () => {
      await expectError(await send("POST", "/api/orders", { vinylId: crypto.randomUUID() }), 401, "You must be signed in");
      await expectError(await send("POST", "/api/orders", {}), 401, "You must be signed in");
      await expectError(await send("POST", "/api/orders", { vinylId: 5 }), 401);
    });

    it("answers 401 for a forged session cookie", async () => {
      const { vinyl } = await sale();
      const forged = { id: crypto.randomUUID(), email: "x@example.com", cookie: "session=not.a.token" };
      await expectError(await placeOrder(forged, vinyl.id), 401);
    });

    it.each([
      ["missing", {}, "vinylId is required"],
      ["null", { vinylId: null }, "vinylId must be a string"],
      ["a number", { vinylId: 42 }, "vinylId must be a string"],
      ["empty", { vinylId: "" }, "vinylId is required"],
      ["blank", { vinylId: "   " }, "vinylId is required"],
    ])("answers 400 when vinylId is %s", async (_name, body, message) => {
      const user = await newUser();
      const res = await send("POST", "/api/orders", body, user);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ errors: [{ field: "vinylId", message }] });
    });

    it("answers 400 for a body that is not a JSON object, and 415 for one not sent as JSON", async () => {
      const user = await newUser();
      await expectError(await send("POST", "/api/orders", ["x"], user), 400);
      const res = await send("POST", "/api/orders", undefined, user);
      await expectError(res, 415);
    });

    it("answers 404 for a record orders has never heard of", async () => {
      await expectError(await placeOrder(await newUser(), crypto.randomUUID()), 404, "Vinyl not found");
    });

    it("answers 404 for a malformed id: it is just unknown", async () => {
      const user = await newUser();
      for (const id of ["nope", "1", crypto.randomUUID().toUpperCase(), `${crypto.randomUUID()}x`]) {
        await expectError(await placeOrder(user, id), 404, "Vinyl not found");
      }
    });

    it("answers 404 for a record just listed in catalog until its vinyl_created arrives, then 201", async () => {
      const [seller, buyer] = [await newUser(), await newUser()];
      const vinyl = vinylOf(seller);
      await expectError(await placeOrder(buyer, vinyl.id), 404);
      await listed(vinyl);
      expect((await placeOrder(buyer, vinyl.id)).status).toBe(201);
    });

    it("answers 403 `You cannot buy your own vinyl` to the seller", async () => {
      const { seller, vinyl } = await sale();
      await expectError(await placeOrder(seller, vinyl.id), 403, "You cannot buy your own vinyl");
    });

    it("answers 403 before 409: the seller's own withdrawn or held record is still theirs", async () => {
      const { seller, buyer, vinyl } = await sale();
      await orderOf(buyer, vinyl.id);
      await expectError(await placeOrder(seller, vinyl.id), 403, "You cannot buy your own vinyl");
      const other = await sale();
      await deliverEach([vinylUpdated(other.vinyl, { status: "withdrawn" }).event]);
      await expectError(await placeOrder(other.seller, other.vinyl.id), 403, "You cannot buy your own vinyl");
    });

    it("answers 409 `Vinyl is not available` while another buyer holds the record", async () => {
      const { buyer, vinyl } = await sale();
      await orderOf(buyer, vinyl.id);
      await expectError(await placeOrder(await newUser(), vinyl.id), 409, "Vinyl is not available");
    });

    it.each(["withdrawn", "sold"] as const)("answers 409 for a record the replica says is %s", async (status) => {
      const { buyer, vinyl } = await sale();
      await deliverEach([vinylUpdated(vinyl, { status }).event]);
      await expectError(await placeOrder(buyer, vinyl.id), 409, "Vinyl is not available");
    });

    it("changes nothing and publishes nothing when it refuses", async () => {
      const { seller, buyer, vinyl } = await sale();
      const held = await orderOf(buyer, vinyl.id);
      const recording = recordingEnv();
      expect((await placeOrder(await newUser(), vinyl.id, recording.env)).status).toBe(409);
      expect((await placeOrder(seller, vinyl.id, recording.env)).status).toBe(403);
      expect(recording.published()).toEqual([]);
      expect(await orderRow(held.id)).toMatchObject({ status: "created", version: 0 });
    });
  });
});
