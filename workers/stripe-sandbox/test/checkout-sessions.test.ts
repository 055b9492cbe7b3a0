import { describe, expect, it } from "vitest";
import { sandbox, sessionParams, Stripe } from "./client";

describe("checkout sessions", () => {
  it("creates an open embedded session in Stripe's shape from the SDK's form-encoded parameters", async () => {
    const { stripe } = sandbox();
    const params = sessionParams();
    const session = await stripe.checkout.sessions.create(params);
    expect(session).toMatchObject({
      object: "checkout.session",
      status: "open",
      payment_status: "unpaid",
      amount_total: 2500,
      currency: "usd",
      mode: "payment",
      ui_mode: "embedded_page",
      metadata: params.metadata,
      payment_intent: null,
      return_url: params.return_url,
      expires_at: params.expires_at,
      livemode: false,
    });
    expect(session.id).toMatch(/^cs_test_[A-Za-z0-9]{58}$/);
    expect(session.client_secret).toMatch(new RegExp(`^${session.id}_secret_`));
    expect(await stripe.checkout.sessions.retrieve(session.id)).toEqual(session);
  });

  it("sums quantity times unit amount over every line item", async () => {
    const { stripe } = sandbox();
    const session = await stripe.checkout.sessions.create(
      sessionParams({
        line_items: [
          { quantity: 2, price_data: { currency: "eur", unit_amount: 1000, product_data: { name: "A" } } },
          { quantity: 1, price_data: { currency: "eur", unit_amount: 5, product_data: { name: "B" } } },
        ],
      }),
    );
    expect(session).toMatchObject({ amount_total: 2005, currency: "eur" });
  });

  it("lists a session's line items in Stripe's shape, as the SDK reads them", async () => {
    const { stripe, api } = sandbox();
    const session = await stripe.checkout.sessions.create(
      sessionParams({
        line_items: [
          { quantity: 1, price_data: { currency: "usd", unit_amount: 2599, product_data: { name: "Kind of Blue" } } },
          { quantity: 1, price_data: { currency: "usd", unit_amount: 0, product_data: { name: "Shipping" } } },
        ],
      }),
    );
    expect(session.amount_total).toBe(2599);
    const items = await stripe.checkout.sessions.listLineItems(session.id);
    expect(items).toMatchObject({ object: "list", has_more: false, url: `/v1/checkout/sessions/${session.id}/line_items` });
    expect(items.data.map((i) => [i.description, i.quantity, i.amount_total, i.price?.unit_amount, i.currency])).toEqual([
      ["Kind of Blue", 1, 2599, 2599, "usd"],
      ["Shipping", 1, 0, 0, "usd"],
    ]);
    expect(items.data[0]!.id).toMatch(/^li_/);
    // The same items every time.
    expect((await stripe.checkout.sessions.listLineItems(session.id)).data).toEqual(items.data);
    const first = await stripe.checkout.sessions.listLineItems(session.id, { limit: 1 });
    expect(first).toMatchObject({ has_more: true, data: [{ description: "Kind of Blue" }] });
    expect((await api("GET", `/v1/checkout/sessions/${session.id}/line_items?limit=0`)).status).toBe(400);
    expect((await api("GET", `/v1/checkout/sessions/${session.id}/line_items?page=2`)).status).toBe(400);
    const missing = await api("GET", "/v1/checkout/sessions/cs_test_nope/line_items");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "resource_missing" } });
  });

  it("answers the first session again for the same idempotency key and parameters", async () => {
    const { stripe, api } = sandbox();
    const params = sessionParams();
    const key = `checkout:${crypto.randomUUID()}:1`;
    const first = await stripe.checkout.sessions.create(params, { idempotencyKey: key });
    const again = await stripe.checkout.sessions.create(params, { idempotencyKey: key });
    expect(again.id).toBe(first.id);
    const replay = await api("POST", "/v1/checkout/sessions", {}, { "idempotency-key": key });
    // Other parameters under the same key: refused, whatever they are.
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: { type: "idempotency_error" } });
  });

  it("replays the first answer as it was, even after the session changed", async () => {
    const { stripe, api } = sandbox();
    const key = `checkout:${crypto.randomUUID()}:1`;
    const params = sessionParams();
    const first = await stripe.checkout.sessions.create(params, { idempotencyKey: key });
    await api("POST", `/v1/test_helpers/checkout/sessions/${first.id}/pay`);
    const replay = await stripe.checkout.sessions.create(params, { idempotencyKey: key });
    expect(replay).toMatchObject({ id: first.id, status: "open", payment_status: "unpaid" });
    expect(await stripe.checkout.sessions.retrieve(first.id)).toMatchObject({ status: "complete", payment_status: "paid" });
  });

  it("keeps a refusal of state, not of parameters: expiring twice under one key replays the same 400", async () => {
    const { stripe, api } = sandbox();
    const session = await stripe.checkout.sessions.create(sessionParams());
    await stripe.checkout.sessions.expire(session.id);
    const headers = { "idempotency-key": `expire:${session.id}` };
    const first = await api("POST", `/v1/checkout/sessions/${session.id}/expire`, undefined, headers);
    const again = await api("POST", `/v1/checkout/sessions/${session.id}/expire`, undefined, headers);
    expect([first.status, again.status]).toEqual([400, 400]);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
  });

  it("refuses the same idempotency key with other parameters with Stripe's idempotency error", async () => {
    const { stripe } = sandbox();
    const key = `checkout:${crypto.randomUUID()}:1`;
    await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: key });
    const refused = stripe.checkout.sessions.create(sessionParams({ expires_at: Math.floor(Date.now() / 1000) + 40 * 60 }), {
      idempotencyKey: key,
    });
    await expect(refused).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it("keeps no answer for parameters it refused, so the corrected request can reuse the key", async () => {
    const { stripe } = sandbox();
    const key = `checkout:${crypto.randomUUID()}:1`;
    await expect(stripe.checkout.sessions.create(sessionParams({ mode: undefined }), { idempotencyKey: key })).rejects.toMatchObject({
      code: "parameter_missing",
      param: "mode",
    });
    const session = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: key });
    expect(session.status).toBe("open");
  });

  it("refuses an expiry under 30 minutes or over 24 hours away, naming expires_at", async () => {
    const { stripe } = sandbox();
    const now = Math.floor(Date.now() / 1000);
    for (const expires_at of [now + 29 * 60, now + 25 * 3600]) {
      const error = await stripe.checkout.sessions.create(sessionParams({ expires_at })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({ statusCode: 400, param: "expires_at", type: "StripeInvalidRequestError" });
    }
  });

  it("refuses unknown parameters and an embedded session without return_url, as Stripe does", async () => {
    const { stripe } = sandbox();
    await expect(
      stripe.checkout.sessions.create({ ...sessionParams(), price: 1 } as never),
    ).rejects.toMatchObject({ statusCode: 400, code: "parameter_unknown", param: "price" });
    await expect(stripe.checkout.sessions.create(sessionParams({ return_url: undefined }))).rejects.toMatchObject({
      code: "parameter_missing",
      param: "return_url",
    });
    await expect(
      stripe.checkout.sessions.create(
        sessionParams({ line_items: [{ quantity: 1, price_data: { currency: "usd", product_data: { name: "x" } } }] }),
      ),
    ).rejects.toMatchObject({ code: "parameter_missing", param: "line_items[0][price_data][unit_amount]" });
  });

  it("answers an unknown session with Stripe's 404 resource_missing", async () => {
    const { stripe, api } = sandbox();
    await expect(stripe.checkout.sessions.retrieve("cs_test_nope")).rejects.toMatchObject({
      statusCode: 404,
      code: "resource_missing",
      message: "No such checkout.session: 'cs_test_nope'",
    });
    const res = await api("GET", "/v1/checkout/sessions/cs_test_nope");
    expect(await res.json()).toEqual({
      error: { type: "invalid_request_error", code: "resource_missing", param: "session", message: "No such checkout.session: 'cs_test_nope'" },
    });
  });

  it("refuses a request without a test secret key with 401", async () => {
    const { call } = sandbox();
    const anonymous = await call("/v1/checkout/sessions/cs_test_x");
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { type: "invalid_request_error" } });
    const live = await call("/v1/checkout/sessions/cs_test_x", { headers: { authorization: "Bearer sk_live_123" } });
    expect(live.status).toBe(401);
  });

  it("answers an unknown route with Stripe's error body", async () => {
    const { api } = sandbox();
    const res = await api("GET", "/v1/customers");
    expect(res.status).toBe(404);
    const body = await res.json<{ error: { type: string; message: string } }>();
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toMatch(/^Unrecognized request URL \(GET: \/v1\/customers\)/);
  });
});
