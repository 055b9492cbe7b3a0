import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import {
  ADDRESS,
  call,
  cancelOrder,
  checkoutStarted,
  deliverEach,
  expectError,
  get,
  newUser,
  orderOf,
  orderRow,
  outboxAbout,
  paidSale,
  paymentCreated,
  putAddress,
  recordingEnv,
  sale,
  ship,
  type OrderJson,
} from "./client";

describe("PUT /api/orders/:id/shipping-address", () => {
  it("gives the order its address, domestic shipping and total, and moves its version on", async () => {
    const { buyer, vinyl } = await sale({ priceCents: 2599, shipsFrom: "US", shippingDomesticCents: 450, shippingInternationalCents: 1800 });
    const order = await orderOf(buyer, vinyl.id);
    const res = await putAddress(buyer, order.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const body = await res.json<OrderJson>();
    expect(body).toMatchObject({ id: order.id, shipping: 4.5, total: 30.49, shippingAddress: ADDRESS, version: 1, status: "created" });
    expect(await (await get(`/api/orders/${order.id}`, buyer)).json()).toEqual(body);
  });

  it("charges the international price for an address abroad, and the domestic one again when it moves home", async () => {
    const { buyer, vinyl } = await sale({ priceCents: 3000, shipsFrom: "DE", shippingDomesticCents: 0, shippingInternationalCents: 1250 });
    const order = await orderOf(buyer, vinyl.id);
    const abroad = await (await putAddress(buyer, order.id, { ...ADDRESS, country: "FR" })).json<OrderJson>();
    expect(abroad).toMatchObject({ shipping: 12.5, total: 42.5, version: 1 });
    // Free domestic shipping.
    const home = await (await putAddress(buyer, order.id, { ...ADDRESS, country: "DE" })).json<OrderJson>();
    expect(home).toMatchObject({ shipping: 0, total: 30, version: 2, shippingAddress: { ...ADDRESS, country: "DE" } });
  });

  it("answers 409 with the country's name when the seller does not ship there, and changes nothing", async () => {
    const { buyer, vinyl } = await sale({ shipsFrom: "US", shippingInternationalCents: null });
    const order = await orderOf(buyer, vinyl.id);
    await expectError(await putAddress(buyer, order.id, { ...ADDRESS, country: "JP" }), 409, "The seller does not ship to Japan");
    expect(await orderRow(order.id)).toMatchObject({ version: 0 });
    expect(await (await get(`/api/orders/${order.id}`, buyer)).json()).toMatchObject({ shipping: null, total: null, shippingAddress: null });
  });

  it("takes an address while the checkout is open (awaiting payment)", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    await deliverEach([checkoutStarted(order)]);
    const res = await putAddress(buyer, order.id);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "awaiting_payment", version: 2, total: 30.99 });
  });

  it("publishes order_updated to payments alone, with shipping and total but never the address", async () => {
    const { seller, buyer, vinyl } = await sale({ priceCents: 2000, shippingDomesticCents: 700 });
    const order = await orderOf(buyer, vinyl.id);
    const recording = recordingEnv();
    expect((await putAddress(buyer, order.id, ADDRESS, recording.env)).status).toBe(200);
    expect(recording.sentTo.catalog).toEqual([]);
    expect(recording.sentTo.expiration).toEqual([]);
    const [event, ...more] = recording.published(order.id);
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      type: "order_updated",
      source: "orders",
      version: 1,
      data: {
        id: order.id,
        userId: buyer.id,
        sellerId: seller.id,
        status: "created",
        shippingCents: 700,
        totalCents: 2700,
        fulfilment: null,
        shipment: null,
        deliveredAt: null,
        version: 1,
      },
    });
    const text = JSON.stringify(recording.sentTo);
    for (const part of [ADDRESS.name, ADDRESS.line1, ADDRESS.line2, ADDRESS.postalCode, ADDRESS.city]) expect(text).not.toContain(part);
  });

  it("never writes the address into an outbox row or a log line", async () => {
    const logs: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(" ")));
    }
    try {
      const { order, seller } = await paidSale({}, { ...ADDRESS, name: "Private Person", line1: "1 Secret Lane", postalCode: "SW1A 1AA", country: "US" });
      // Everything that can follow, logged at the most talkative level.
      const talkative = { ...env, LOG_LEVEL: "debug" };
      await get(`/api/orders/${order.id}`, seller);
      expect((await ship(seller, order.id, undefined, talkative)).status).toBe(200);
      const rows = await outboxAbout(order.id);
      expect(rows.map((r) => r.type)).toEqual(expect.arrayContaining(["order_created", "order_updated", "order_completed"]));
      for (const row of rows) {
        for (const part of ["Private Person", "1 Secret Lane", "SW1A 1AA", "Springfield"]) expect(row.body).not.toContain(part);
      }
      expect(logs.join("\n")).not.toMatch(/Private Person|Secret Lane|SW1A/);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("shows the address to the buyer, to the seller once paid, and to nobody else", async () => {
    const { seller, buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    await putAddress(buyer, order.id);
    // Unpaid: the seller sees the order and its total, not where the buyer lives.
    const unpaid = await (await get(`/api/orders/${order.id}`, seller)).json<OrderJson>();
    expect(unpaid).toMatchObject({ total: 30.99, shippingAddress: null });
    await expectError(await get(`/api/orders/${order.id}`, await newUser()), 403);
    await deliverEach([paymentCreated(order)]);
    expect(await (await get(`/api/orders/${order.id}`, seller)).json()).toMatchObject({ shippingAddress: ADDRESS });
    expect(await (await get(`/api/orders/${order.id}`, buyer)).json()).toMatchObject({ shippingAddress: ADDRESS });
  });

  it("keeps line2 and region optional: missing, null, empty or blank all mean none", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    const { line2: _l, region: _r, ...required } = ADDRESS;
    for (const extra of [{}, { line2: null, region: null }, { line2: "", region: "   " }]) {
      const res = await putAddress(buyer, order.id, { ...required, ...extra });
      expect(res.status).toBe(200);
      expect((await res.json<OrderJson>()).shippingAddress).toEqual({ ...required, line2: null, region: null });
    }
  });

  it("trims every text field", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    const padded = Object.fromEntries(Object.entries(ADDRESS).map(([k, v]) => [k, k === "country" ? v : `  ${v} `]));
    expect((await (await putAddress(buyer, order.id, padded)).json<OrderJson>()).shippingAddress).toEqual(ADDRESS);
  });

  describe("errors, in the contract's order: 401 → 400 → 404 → 403 → 409", () => {
    it("answers 401 when not signed in, whatever else is wrong", async () => {
      const { buyer, vinyl } = await sale();
      const order = await orderOf(buyer, vinyl.id);
      const anonymous = (body: unknown, id = order.id) => putAddress({ ...buyer, cookie: "" }, id, body);
      await expectError(await anonymous(ADDRESS), 401, "You must be signed in");
      await expectError(await anonymous({}, "not-an-id"), 401);
    });

    it.each([
      ["name missing", { name: undefined }, "name", "Name is required"],
      ["name blank", { name: "   " }, "name", "Name is required"],
      ["name too long", { name: "x".repeat(101) }, "name", "Name must be at most 100 characters"],
      ["name not text", { name: 42 }, "name", "Name must be text"],
      ["name a lone surrogate", { name: "\ud800" }, "name", "Name must be valid text"],
      ["line1 missing", { line1: undefined }, "line1", "Address line 1 is required"],
      ["line1 too long", { line1: "x".repeat(201) }, "line1", "Address line 1 must be at most 200 characters"],
      ["line2 too long", { line2: "x".repeat(201) }, "line2", "Address line 2 must be at most 200 characters"],
      ["city missing", { city: "" }, "city", "City is required"],
      ["region not text", { region: 7 }, "region", "Region must be text"],
      ["postal code missing", { postalCode: null }, "postalCode", "Postal code is required"],
      ["postal code too long", { postalCode: "1".repeat(21) }, "postalCode", "Postal code must be at most 20 characters"],
      ["country missing", { country: undefined }, "country", "Country is required"],
      ["country unknown", { country: "XX" }, "country", "Country must be a two-letter country code, such as US or DE"],
      ["country a name", { country: "Germany" }, "country", "Country must be a two-letter country code, such as US or DE"],
      ["country in lower case", { country: "de" }, "country", "Country must be a two-letter country code, such as US or DE"],
      ["country padded", { country: " DE" }, "country", "Country must be a two-letter country code, such as US or DE"],
    ])("answers 400 for %s, with the field", async (_name, change, field, message) => {
      const { buyer, vinyl } = await sale();
      const order = await orderOf(buyer, vinyl.id);
      const body: Record<string, unknown> = { ...ADDRESS, ...change };
      for (const [k, v] of Object.entries(change)) if (v === undefined) delete body[k];
      const error = await expectError(await putAddress(buyer, order.id, body), 400);
      expect(error.errors).toEqual([{ field, message }]);
      expect(await orderRow(order.id)).toMatchObject({ version: 0 });
    });

    it("answers 400 for each failing field at once, and 415 for a body that is not JSON", async () => {
      const { buyer, vinyl } = await sale();
      const order = await orderOf(buyer, vinyl.id);
      const error = await expectError(await putAddress(buyer, order.id, {}), 400);
      expect(error.errors.map((e) => e.field)).toEqual(["name", "line1", "city", "postalCode", "country"]);
      await expectError(await putAddress(buyer, order.id, []), 400, "Request body must be a JSON object");
      const form = await call(`/api/orders/${order.id}/shipping-address`, {
        method: "PUT",
        headers: { cookie: buyer.cookie, "content-type": "application/x-www-form-urlencoded" },
        body: "name=x",
      });
      expect(form.status).toBe(415);
    });

    it("answers 400 before 404, then 404 for an unknown or malformed id", async () => {
      const buyer = await newUser();
      await expectError(await putAddress(buyer, crypto.randomUUID(), {}), 400);
      await expectError(await putAddress(buyer, crypto.randomUUID()), 404, "Order not found");
      await expectError(await putAddress(buyer, "not-an-id"), 404, "Order not found");
    });

    it("answers 403 to the seller and to strangers, even for an address the seller does not ship to", async () => {
      const { seller, buyer, vinyl } = await sale({ shippingInternationalCents: null });
      const order = await orderOf(buyer, vinyl.id);
      await expectError(await putAddress(seller, order.id), 403, "Only the buyer can give the shipping address");
      await expectError(await putAddress(await newUser(), order.id, { ...ADDRESS, country: "JP" }), 403);
    });

    it("answers 409 for a paid order and for a cancelled one", async () => {
      const { buyer, order } = await paidSale();
      await expectError(await putAddress(buyer, order.id, { ...ADDRESS, city: "Elsewhere" }), 409, "Order is already paid; its shipping address can no longer change");
      const other = await sale();
      const gone = await orderOf(other.buyer, other.vinyl.id);
      await cancelOrder(other.buyer, gone.id);
      await expectError(await putAddress(other.buyer, gone.id), 409, "Order is cancelled");
      expect((await (await get(`/api/orders/${order.id}`, buyer)).json<OrderJson>()).shippingAddress).toEqual(ADDRESS);
    });
  });
});
