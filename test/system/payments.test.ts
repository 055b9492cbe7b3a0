import { describe, expect, it } from "vitest";
import { api, eventually, signUp } from "./client";

type Order = { id: string; status: string; cancelReason: string | null };
type Vinyl = { id: string; status: string };

// The sandbox accepts any test-mode key; this is the one payments uses in sandbox mode.
const SANDBOX_AUTH = { authorization: "Bearer sk_test_sandbox" };

async function reservedRecord() {
  const seller = await signUp("seller");
  const listed = await api("/api/vinyls", {
    method: "POST",
    cookie: seller.cookie,
    json: { title: `Pay test ${crypto.randomUUID().slice(0, 8)}`, genre: "Soul", price: 27.5 },
  });
  const vinyl = (await listed.json()) as Vinyl;
  const buyer = await signUp("buyer");
  const order = await eventually(async () => {
    const res = await api("/api/orders", { method: "POST", cookie: buyer.cookie, json: { vinylId: vinyl.id } });
    return res.status === 201 ? ((await res.json()) as Order) : undefined;
  });
  // Checkout charges record and shipping, so it needs the address first.
  const addressed = await api(`/api/orders/${order.id}/shipping-address`, {
    method: "PUT",
    cookie: buyer.cookie,
    json: { name: "Pat Payer", line1: "1 Main Street", city: "Springfield", postalCode: "12345", country: "US" },
  });
  expect(addressed.status).toBe(200);
  // payments learns of the order and its total from the order's events; until then checkout answers 404 or 409.
  const checkout = await eventually(async () => {
    const res = await api("/api/payments/checkout", { method: "POST", cookie: buyer.cookie, json: { orderId: order.id } });
    return res.status === 201 ? ((await res.json()) as { sessionId: string; mode: string }) : undefined;
  });
  return { vinyl, buyer, order, checkout };
}

const pay = (sessionId: string, card?: string) =>
  api(`/_sandbox/stripe/v1/test_helpers/checkout/sessions/${sessionId}/pay`, {
    method: "POST",
    headers: { ...SANDBOX_AUTH, "content-type": "application/x-www-form-urlencoded" },
    body: card ? new URLSearchParams({ card }).toString() : "",
  });

const orderOf = async (id: string, cookie: string) =>
  (await (await api(`/api/orders/${id}`, { cookie })).json()) as Order;

describe("paying through the public origin", () => {
  it("completes the order and sells the record when the sandbox pays", async () => {
    const { vinyl, buyer, order, checkout } = await reservedRecord();
    expect(checkout.mode).toBe("sandbox");
    expect((await pay(checkout.sessionId)).status).toBe(200);

    await eventually(async () => ((await orderOf(order.id, buyer.cookie)).status === "complete" ? true : undefined));
    await eventually(async () => {
      const v = (await (await api(`/api/vinyls/${vinyl.id}`)).json()) as Vinyl;
      return v.status === "sold" ? true : undefined;
    });
    // The webhook already recorded the payment, so re-reading it from Stripe finds it recorded.
    const recorded = await api("/api/payments", { method: "POST", cookie: buyer.cookie, json: { orderId: order.id } });
    expect(recorded.status).toBe(200);
    expect(await recorded.json()).toMatchObject({ orderId: order.id, status: "paid" });
  });

  it("leaves the order live after a declined card, until its hold ends", async () => {
    const { buyer, order, checkout } = await reservedRecord();
    const declined = await pay(checkout.sessionId, "4000000000000002");
    expect(declined.status).toBe(402);
    expect(((await declined.json()) as { error: { code: string } }).error.code).toBe("card_declined");

    const unpaid = await api("/api/payments", { method: "POST", cookie: buyer.cookie, json: { orderId: order.id } });
    expect(unpaid.status).toBe(402);
    expect(["created", "awaiting_payment"]).toContain((await orderOf(order.id, buyer.cookie)).status);

    // HOLD_SECONDS=5 in the system under test.
    const ended = await eventually(async () => {
      const current = await orderOf(order.id, buyer.cookie);
      return current.status === "cancelled" ? current : undefined;
    }, 15_000);
    expect(ended.cancelReason).toBe("expired");
  });
});
