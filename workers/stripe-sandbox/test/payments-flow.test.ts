import { eq } from "drizzle-orm";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../src/db";
import { sessions } from "../src/schema";
import { cryptoProvider, sandbox, sessionParams, Stripe } from "./client";

type EventBody = { id: string; type: string; data: { object: Stripe.Checkout.Session } };

describe("paying, expiring and refunding", () => {
  it("pays a session: complete, paid, a payment intent, and checkout.session.completed signed as Stripe signs", async () => {
    const { stripe, api, deliveries } = sandbox();
    const session = await stripe.checkout.sessions.create(sessionParams());
    const res = await api("POST", `/v1/test_helpers/checkout/sessions/${session.id}/pay`);
    expect(res.status).toBe(200);
    const paid = await stripe.checkout.sessions.retrieve(session.id);
    expect(paid).toMatchObject({ status: "complete", payment_status: "paid" });
    expect(paid.payment_intent).toMatch(/^pi_/);

    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    expect(delivery!.url).toMatch(/\/api\/payments\/webhook$/);
    const event = await stripe.webhooks.constructEventAsync(
      delivery!.body,
      delivery!.signature!,
      env.SANDBOX_WEBHOOK_SECRET,
      undefined,
      cryptoProvider,
    );
    expect(event.type).toBe("checkout.session.completed");
    expect(event.data.object).toMatchObject({ id: session.id, status: "complete", payment_status: "paid", payment_intent: paid.payment_intent });
    // Signed with the endpoint's secret: any other secret fails verification.
    await expect(
      stripe.webhooks.constructEventAsync(delivery!.body, delivery!.signature!, "whsec_other", undefined, cryptoProvider),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeSignatureVerificationError);
  });

  it("declines 4000 0000 0000 0002 with Stripe's card error and leaves the session open and unpaid", async () => {
    const { stripe, api, deliveries } = sandbox();
    const session = await stripe.checkout.sessions.create(sessionParams());
    const res = await api("POST", `/v1/test_helpers/checkout/sessions/${session.id}/pay`, { card: "4000 0000 0000 0002" });
    expect(res.status).toBe(402);
    expect(await res.json()).toEqual({
      error: { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." },
    });
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ status: "open", payment_status: "unpaid", payment_intent: null });
    expect(deliveries).toEqual([]);
  });

  it("expires an open session and delivers checkout.session.expired", async () => {
    const { stripe, deliveries } = sandbox();
    const session = await stripe.checkout.sessions.create(sessionParams());
    const expired = await stripe.checkout.sessions.expire(session.id);
    expect(expired).toMatchObject({ id: session.id, status: "expired", payment_status: "unpaid" });
    expect(deliveries.map((d) => (JSON.parse(d.body) as EventBody).type)).toEqual(["checkout.session.expired"]);
  });

  it("refuses to expire a completed session with Stripe's 400, and to pay an expired one", async () => {
    const { stripe, api } = sandbox();
    const paidSession = await stripe.checkout.sessions.create(sessionParams());
    await api("POST", `/v1/test_helpers/checkout/sessions/${paidSession.id}/pay`);
    const error = await stripe.checkout.sessions.expire(paidSession.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({
      statusCode: 400,
      message: 'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of `complete`.',
    });

    const lapsed = await stripe.checkout.sessions.create(sessionParams());
    await stripe.checkout.sessions.expire(lapsed.id);
    const pay = await api("POST", `/v1/test_helpers/checkout/sessions/${lapsed.id}/pay`);
    expect(pay.status).toBe(400);
    expect(await stripe.checkout.sessions.retrieve(lapsed.id)).toMatchObject({ status: "expired", payment_intent: null });
  });

  it("expires a session past its expires_at by itself, with its event, when next read", async () => {
    const { stripe, deliveries } = sandbox();
    const session = await stripe.checkout.sessions.create(sessionParams());
    await database(env).update(sessions).set({ expiresAt: Math.floor(Date.now() / 1000) - 1 }).where(eq(sessions.id, session.id));
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ status: "expired" });
    expect(deliveries.map((d) => (JSON.parse(d.body) as EventBody).type)).toEqual(["checkout.session.expired"]);
  });

  it("refunds a paid payment intent in full, the same refund for the same key, and no second refund", async () => {
    const { stripe, api } = sandbox();
    const session = await stripe.checkout.sessions.create(sessionParams());
    await api("POST", `/v1/test_helpers/checkout/sessions/${session.id}/pay`);
    const intent = (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
    const key = `refund:${intent}`;
    const refund = await stripe.refunds.create({ payment_intent: intent }, { idempotencyKey: key });
    expect(refund).toMatchObject({ object: "refund", amount: 2500, currency: "usd", payment_intent: intent, status: "succeeded" });
    expect((await stripe.refunds.create({ payment_intent: intent }, { idempotencyKey: key })).id).toBe(refund.id);
    await expect(stripe.refunds.create({ payment_intent: intent })).rejects.toMatchObject({ statusCode: 400, code: "charge_already_refunded" });
    const list = await stripe.refunds.list({ payment_intent: intent });
    expect(list.data.map((r) => r.id)).toEqual([refund.id]);
    expect(await stripe.paymentIntents.retrieve(intent)).toMatchObject({ amount: 2500, status: "succeeded" });
  });

  it("refuses a refund of an unknown payment intent with Stripe's 400 resource_missing", async () => {
    const { stripe } = sandbox();
    await expect(stripe.refunds.create({ payment_intent: "pi_nope" })).rejects.toMatchObject({
      statusCode: 400,
      code: "resource_missing",
      param: "payment_intent",
    });
  });

  it("resends an event with the same id, signed anew", async () => {
    const { stripe, api, call, deliveries } = sandbox();
    const session = await stripe.checkout.sessions.create(sessionParams());
    await api("POST", `/v1/test_helpers/checkout/sessions/${session.id}/pay`);
    const { id } = JSON.parse(deliveries[0]!.body) as EventBody;
    const resend = await call(`/debug/events/${id}/deliver`, { method: "POST" });
    expect(await resend.json()).toEqual({ id, delivery_status: 200 });
    expect(deliveries).toHaveLength(2);
    expect(deliveries[1]!.body).toBe(deliveries[0]!.body);
  });

  it("records the failed delivery when the endpoint refuses an event, and still completes the payment", async () => {
    const { stripe, api, call } = sandbox(500);
    const session = await stripe.checkout.sessions.create(sessionParams());
    expect((await api("POST", `/v1/test_helpers/checkout/sessions/${session.id}/pay`)).status).toBe(200);
    const events = await (await call("/debug/events")).json<{ type: string; delivery_status: number; data: { object: { id: string } } }[]>();
    expect(events.find((e) => e.data.object.id === session.id)).toMatchObject({ type: "checkout.session.completed", delivery_status: 500 });
  });

  it("logs every API request with its idempotency key, for tests to read", async () => {
    const { stripe, call } = sandbox();
    const key = `checkout:${crypto.randomUUID()}:1`;
    const session = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: key });
    await stripe.checkout.sessions.retrieve(session.id);
    const log = await (await call(`/debug/requests?path=/v1/checkout/sessions`)).json<{ method: string; path: string; idempotencyKey: string | null }[]>();
    expect(log).toContainEqual(expect.objectContaining({ method: "POST", path: "/v1/checkout/sessions", idempotencyKey: key }));
    expect(log).toContainEqual(expect.objectContaining({ method: "GET", path: `/v1/checkout/sessions/${session.id}`, idempotencyKey: null }));
  });
});
