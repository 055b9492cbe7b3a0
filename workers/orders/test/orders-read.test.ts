import { describe, expect, it } from "vitest";
import { call, cancelOrder, expectError, get, newUser, orderOf, sale, send, type OrderJson } from "./client";

describe("GET /api/orders", () => {
  it("lists the caller's orders in every status, oldest first, and nobody else's", async () => {
    const buyer = await newUser();
    const placed: OrderJson[] = [];
    for (let i = 0; i < 3; i++) {
      const { vinyl } = await sale({ title: `Record ${i}` });
      placed.push(await orderOf(buyer, vinyl.id));
    }
    await cancelOrder(buyer, placed[1]!.id);
    const someoneElse = await sale();
    await orderOf(someoneElse.buyer, someoneElse.vinyl.id);

    const res = await get("/api/orders", buyer);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const list = await res.json<OrderJson[]>();
    expect(list.map((o) => o.vinyl.title)).toEqual(["Record 0", "Record 1", "Record 2"]);
    expect(list.map((o) => o.status)).toEqual(["created", "cancelled", "created"]);
    expect(list[1]).toMatchObject({ cancelReason: "buyer", version: 1 });
    expect(list[0]).toEqual(placed[0]);
  });

  it("answers an empty list to a buyer without orders", async () => {
    const res = await get("/api/orders", await newUser());
    expect(await res.json()).toEqual([]);
  });

  it("answers 401 when not signed in", async () => {
    await expectError(await get("/api/orders"), 401, "You must be signed in");
  });
});

describe("GET /api/orders/:id", () => {
  it("answers the order in the same shape POST answered it", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    const res = await get(`/api/orders/${order.id}`, buyer);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(order);
  });

  it("answers 401 when not signed in, before revealing whether the order exists", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    await expectError(await get(`/api/orders/${order.id}`), 401);
    await expectError(await get(`/api/orders/${crypto.randomUUID()}`), 401);
  });

  it("answers 404 for an unknown id and for a malformed one", async () => {
    const user = await newUser();
    await expectError(await get(`/api/orders/${crypto.randomUUID()}`, user), 404, "Order not found");
    await expectError(await get("/api/orders/not-an-id", user), 404, "Order not found");
    await expectError(await get(`/api/orders/${crypto.randomUUID().toUpperCase()}`, user), 404, "Order not found");
  });

  it("answers 403 to anyone but the buyer and the seller", async () => {
    const { buyer, vinyl } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    await expectError(await get(`/api/orders/${order.id}`, await newUser()), 403, "You can only see your own orders");
  });

  it("answers the seller too, read-only", async () => {
    const { buyer, vinyl, seller } = await sale();
    const order = await orderOf(buyer, vinyl.id);
    const res = await get(`/api/orders/${order.id}`, seller);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(order);
    await expectError(await send("DELETE", `/api/orders/${order.id}`, undefined, seller), 403);
  });
});

describe("the Worker's own endpoints", () => {
  it("answers /health and documents every orders route in /openapi.json", async () => {
    expect(await (await call("/health")).json()).toEqual({ status: "ok" });
    const doc = await (await call("/openapi.json")).json<{ paths: Record<string, Record<string, unknown>> }>();
    expect(Object.keys(doc.paths["/api/orders"]!).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/api/orders/{id}"]!).sort()).toEqual(["delete", "get"]);
    expect(Object.keys(doc.paths["/api/orders/sales"]!)).toEqual(["get"]);
    expect(Object.keys(doc.paths["/api/orders/{id}/shipping-address"]!)).toEqual(["put"]);
    expect(Object.keys(doc.paths["/api/orders/{id}/shipment"]!)).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/orders/{id}/delivery"]!)).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/orders/{id}/feedback"]!)).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/orders/{id}/feedback/reply"]!)).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/sellers/{username}/feedback"]!)).toEqual(["get"]);
  });
});
