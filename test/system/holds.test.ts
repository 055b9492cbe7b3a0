import { describe, expect, it } from "vitest";
import { api, eventually, signUp } from "./client";

type Order = { id: string; status: string; cancelReason: string | null; expiresAt: string };
type Vinyl = { id: string; status: string; orderId: string | null };

async function listRecord() {
  const seller = await signUp("seller");
  const res = await api("/api/vinyls", {
    method: "POST",
    cookie: seller.cookie,
    json: { title: `Hold test ${crypto.randomUUID().slice(0, 8)}`, genre: "Jazz", price: 20 },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Vinyl;
}

/** Orders the record as soon as the orders Worker has heard of it. */
async function order(vinylId: string, cookie: string) {
  return eventually(async () => {
    const res = await api("/api/orders", { method: "POST", cookie, json: { vinylId } });
    return res.status === 201 ? ((await res.json()) as Order) : undefined;
  });
}

const vinylStatus = async (id: string) => ((await (await api(`/api/vinyls/${id}`)).json()) as Vinyl).status;

describe("a hold across the Workers", () => {
  it("reserves the record, and a buyer's cancel puts it back on sale", async () => {
    const vinyl = await listRecord();
    const buyer = await signUp("buyer");
    const placed = await order(vinyl.id, buyer.cookie);
    await eventually(async () => ((await vinylStatus(vinyl.id)) === "reserved" ? true : undefined));

    const rival = await signUp("rival");
    const second = await api("/api/orders", { method: "POST", cookie: rival.cookie, json: { vinylId: vinyl.id } });
    expect(second.status).toBe(409);

    expect((await api(`/api/orders/${placed.id}`, { method: "DELETE", cookie: buyer.cookie })).status).toBe(204);
    await eventually(async () => ((await vinylStatus(vinyl.id)) === "available" ? true : undefined));
    const listed = (await (await api(`/api/vinyls?limit=100`)).json()) as Vinyl[];
    expect(listed.map((v) => v.id)).toContain(vinyl.id);
  });

  it("ends an unpaid hold by itself and the record is back on sale within 3 seconds", async () => {
    const vinyl = await listRecord();
    const buyer = await signUp("buyer");
    const placed = await order(vinyl.id, buyer.cookie);
    const expiresAt = Date.parse(placed.expiresAt);
    // The system under test runs with HOLD_SECONDS=5.
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(5_000);

    const ended = await eventually(async () => {
      const current = (await (await api(`/api/orders/${placed.id}`, { cookie: buyer.cookie })).json()) as Order;
      return current.status === "cancelled" ? current : undefined;
    }, 15_000);
    expect(ended.cancelReason).toBe("expired");
    await eventually(async () => ((await vinylStatus(vinyl.id)) === "available" ? true : undefined), 15_000);
    expect(Date.now() - expiresAt).toBeLessThan(3_000);
  });
});
