import { eq } from "drizzle-orm";
import { log } from "../../shared/src/log";
import { database } from "./db";
import { newId, nowSeconds } from "./ids";
import { API_VERSION } from "./objects";
import type { SandboxBindings } from "./bindings";
import { events } from "./schema";

/** Where Stripe would be configured to send the shop's events (a dashboard setting there). */
export const WEBHOOK_URL = "https://oscillation-payments.internal/api/payments/webhook";

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Stripe's `Stripe-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload">`
 * keyed with the endpoint's signing secret (the whole `whsec_…` string).
 */
export async function signatureHeader(payload: string, secret: string, timestamp = nowSeconds()) {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${timestamp}.${payload}`));
  return `t=${timestamp},v1=${hex(mac)}`;
}

/** Records an event about `object` and delivers it; answers the event. */
export async function emit(env: SandboxBindings, type: string, object: unknown) {
  const event = {
    id: newId.event(),
    object: "event",
    api_version: API_VERSION,
    created: nowSeconds(),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
  // Stripe sends its events pretty-printed; the signature covers these exact bytes.
  const body = JSON.stringify(event, null, 2);
  await database(env).insert(events).values({ id: event.id, type, body, created: event.created });
  await deliver(env, event.id);
  return event;
}

/**
 * POSTs a recorded event to the webhook endpoint, freshly signed, as Stripe does on every
 * attempt (a resend included). Delivery waits for the answer so a test or a shopper's
 * redirect sees its effect; a failure is recorded, not thrown: Stripe would retry later
 * and the sandbox offers `POST /debug/events/:id/deliver` for that.
 */
export async function deliver(env: SandboxBindings, eventId: string) {
  const db = database(env);
  const [event] = await db.select().from(events).where(eq(events.id, eventId)).limit(1);
  if (!event) return null;
  let status = 0;
  try {
    const res = await env.PAYMENTS.fetch(WEBHOOK_URL, {
      method: "POST",
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": await signatureHeader(event.body, env.SANDBOX_WEBHOOK_SECRET),
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
      },
      body: event.body,
    });
    status = res.status;
    await res.body?.cancel();
  } catch (error) {
    log.warn("webhook delivery failed", { service: "stripe-sandbox", eventId, error: String(error) });
  }
  if (status < 200 || status >= 300) log.warn("webhook refused", { service: "stripe-sandbox", eventId, type: event.type, status });
  await db.update(events).set({ deliveryStatus: status, deliveredAt: Date.now() }).where(eq(events.id, eventId));
  return status;
}
