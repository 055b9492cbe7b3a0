import { describe, expect, it } from "vitest";
import {
  ADDRESS,
  cancelOrder,
  confirmDelivery,
  expectError,
  get,
  newUser,
  orderOf,
  paidSale,
  profileOf,
  putAddress,
  sale,
  ship,
  username,
  type OrderJson,
  type User,
} from "./client";

describe("GET /api/orders/sales", () => {
  it("lists the seller's paid orders: to ship oldest first, then shipped and delivered newest first", async () => {
    const seller = await newUser();
    const sell = async (title: string) => {
      const { buyer, order } = await paidSale({ userId: seller.id, title });
      return { buyer, order };
    };
    const a = await sell("To ship, paid first");
    const b = await sell("To ship, paid second");
    const c = await sell("Shipped first");
    const d = await sell("Shipped second");
    const e = await sell("Delivered first");
    const f = await sell("Delivered second");
    for (const { order } of [c, d, e, f]) expect((await ship(seller, order.id)).status).toBe(200);
    for (const { buyer, order } of [e, f]) expect((await confirmDelivery(buyer, order.id)).status).toBe(200);
    // Not sales: an unpaid order (with an address), a cancelled one, and another seller's sale.
    const unpaid = await sale({ userId: seller.id });
    const held = await orderOf(unpaid.buyer, unpaid.vinyl.id);
    await putAddress(unpaid.buyer, held.id);
    const gone = await sale({ userId: seller.id });
    await cancelOrder(gone.buyer, (await orderOf(gone.buyer, gone.vinyl.id)).id);
    await paidSale();

    const res = await get("/api/orders/sales", seller);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const list = await res.json<OrderJson[]>();
    expect(list.map((o) => o.vinyl.title)).toEqual([
      "To ship, paid first",
      "To ship, paid second",
      "Shipped second",
      "Shipped first",
      "Delivered second",
      "Delivered first",
    ]);
    expect(list.map((o) => o.fulfilment)).toEqual(["to_ship", "to_ship", "shipped", "shipped", "delivered", "delivered"]);
    // Each with what the seller needs to send it: where, and for how much.
    for (const order of list) expect(order).toMatchObject({ shippingAddress: ADDRESS, total: 30.99, shipping: 5, status: "complete" });
  });

  it("names each buyer by their public profile, once it has reached orders", async () => {
    const seller = await newUser();
    const named = await paidSale({ userId: seller.id, title: "Named" });
    const unnamed = await paidSale({ userId: seller.id, title: "Unnamed" });
    const buyerName = username("buyer");
    await profileOf(named.buyer, buyerName, "Record Collector");
    const sellerName = username("seller");
    await profileOf(seller, sellerName, null);
    const list = await (await get("/api/orders/sales", seller)).json<OrderJson[]>();
    const byTitle = new Map(list.map((o) => [o.vinyl.title, o]));
    expect(byTitle.get("Named")).toMatchObject({
      buyer: { username: buyerName, displayName: "Record Collector" },
      seller: { username: sellerName, displayName: null },
      userId: named.buyer.id,
      sellerId: seller.id,
    });
    expect(byTitle.get("Unnamed")).toMatchObject({ buyer: null, userId: unnamed.buyer.id });
  });

  it("answers an empty list to someone who sold nothing, and to a buyer it shows nothing of their purchases", async () => {
    const { buyer } = await paidSale();
    expect(await (await get("/api/orders/sales", await newUser())).json()).toEqual([]);
    expect(await (await get("/api/orders/sales", buyer)).json()).toEqual([]);
  });

  it("answers 401 when not signed in", async () => {
    await expectError(await get("/api/orders/sales"), 401, "You must be signed in");
    const ghost: User = { ...(await newUser()), cookie: "session=not-a-token" };
    await expectError(await get("/api/orders/sales", ghost), 401);
  });
});
