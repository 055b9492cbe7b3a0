import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ORDERS_PER_MINUTE } from "../src/order-limit";
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
      const forged = { id: crypto.randomUUID(), username: "forger", sessionId: crypto.randomUUID(), country: null, cookie: "session=not.a.token" };
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

    it("answers 409 to a buyer who already holds three unpaid records, and lets them order again once one is cancelled", async () => {
      const seller = await newUser();
      const buyer = await newUser();
      const records = [];
      for (let i = 0; i < 5; i++) records.push(await listed(vinylOf(seller)));
      const held = [];
      for (const vinyl of records.slice(0, 3)) held.push(await orderOf(buyer, vinyl.id));
      await expectError(await placeOrder(buyer, records[3]!.id), 409, "You already hold 3 records: pay for one or cancel it first");
      // The refused record stays free for anyone else.
      expect((await placeOrder(await newUser(), records[4]!.id)).status).toBe(201);
      // Asking again for a record already held is not a new hold: still its order.
      expect((await placeOrder(buyer, records[0]!.id)).status).toBe(200);
      expect((await cancelOrder(buyer, held[0]!.id)).status).toBe(204);
      expect((await placeOrder(buyer, records[3]!.id)).status).toBe(201);
    });

    it("lets no more than 3 of many orders a buyer places at once through", async () => {
      const seller = await newUser();
      const buyer = await newUser();
      const records = await Promise.all(Array.from({ length: 8 }, () => listed(vinylOf(seller))));
      const answers = await Promise.all(records.map((v) => placeOrder(buyer, v.id)));
      expect(answers.map((r) => r.status).sort()).toEqual([201, 201, 201, 409, 409, 409, 409, 409]);
    });

    // The window is the last 60 seconds of the buyer's own orders, whatever became of them.
    it(`answers 429 to a buyer creating orders past ${ORDERS_PER_MINUTE} a minute (order, cancel, order again)`, { timeout: 60_000 }, async () => {
      expect(ORDERS_PER_MINUTE).toBe(30);
      const { buyer, vinyl } = await sale();
      let first: OrderJson | undefined;
      let res: Response | undefined;
      let tried = 0;
      while (tried < 2 * ORDERS_PER_MINUTE + 1) {
        tried++;
        res = await placeOrder(buyer, vinyl.id);
        if (res.status !== 201) break;
        const order = await res.json<OrderJson>();
        first ??= order;
        expect((await cancelOrder(buyer, order.id)).status).toBe(204);
      }
      // Well under a minute for 30 orders here: the 31st is the one refused.
      expect(tried).toBe(ORDERS_PER_MINUTE + 1);
      await expectError(res!, 429, "Too many orders. Try again in a minute.");
      // Until the first of them is a minute old.
      const wait = (Date.parse(first!.createdAt) + 60_000 - Date.now()) / 1000;
      expect(Number(res!.headers.get("retry-after"))).toBeGreaterThanOrEqual(Math.floor(wait));
      expect(Number(res!.headers.get("retry-after"))).toBeLessThanOrEqual(Math.ceil(wait) + 1);
      // Another buyer is not slowed by it, and the record is still free for them.
      expect((await placeOrder(await newUser(), vinyl.id)).status).toBe(201);
    });

    it(`lets a buyer one order short of the budget, ordering several free records at once, make exactly one`, async () => {
      const seller = await newUser();
      const buyer = await newUser();
      const records = await Promise.all(Array.from({ length: 6 }, () => listed(vinylOf(seller))));
      for (let i = 0; i < ORDERS_PER_MINUTE - 1; i++) {
        const order = await orderOf(buyer, records[i % records.length]!.id);
        expect((await cancelOrder(buyer, order.id)).status).toBe(204);
      }
      const answers = await Promise.all(records.map((v) => placeOrder(buyer, v.id)));
      expect(answers.map((r) => r.status).sort()).toEqual([201, 429, 429, 429, 429, 429]);
    }, 60_000);

    it("spends none of the budget on attempts refused before any write: malformed ids, unknown records, one's own order again", async () => {
      const { buyer, vinyl } = await sale();
      await orderOf(buyer, vinyl.id);
      for (let i = 0; i < ORDERS_PER_MINUTE + 5; i++) {
        expect((await placeOrder(buyer, `not-an-id-${i}`)).status).toBe(404);
        expect((await placeOrder(buyer, crypto.randomUUID())).status).toBe(404);
        expect((await placeOrder(buyer, vinyl.id)).status).toBe(200);
      }
      const other = await listed(vinylOf(await newUser()));
      expect((await placeOrder(buyer, other.id)).status).toBe(201);
    }, 60_000);

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
