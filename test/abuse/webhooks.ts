import { readFileSync } from "node:fs";
import Stripe from "stripe";
import type { World } from "./world";

/**
 * Stripe webhooks nobody but Stripe could have sent: a signature missing, malformed, made
 * with another secret, too old, or over other bytes. Each is refused with 400 before the
 * event is read, so a forged "paid" for the world's order changes nothing.
 */

/** The sandbox's signing secret, as payments is configured with it (not a secret: local only). */
const SECRET = /^SANDBOX_WEBHOOK_SECRET\s*=\s*"([^"]+)"/m.exec(
  readFileSync(new URL("../../workers/payments/wrangler.toml", import.meta.url), "utf8"),
)![1]!;

export type WebhookCase = { name: string; body: string; contentType?: string; headers?: Record<string, string>; chunked?: boolean; expect: number[] };

const sign = (payload: string, opts: { secret?: string; timestamp?: number; scheme?: string } = {}) =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? SECRET, timestamp: opts.timestamp, scheme: opts.scheme });

/** A `Stripe-Signature` that verifies: anyone can make one locally, where the sandbox's secret is public. */
export const signWithSandboxSecret = (payload: string) => sign(payload);

/** A "paid" event for the world's (cancelled) order, as Stripe would shape it. */
function forgedPayment(world: World, amount = 2500) {
  return JSON.stringify({
    id: "evt_forged_payment",
    object: "event",
    type: "checkout.session.completed",
    data: {
      object: {
        id: "cs_test_forged",
        object: "checkout.session",
        status: "complete",
        payment_status: "paid",
        amount_total: amount,
        currency: "usd",
        client_reference_id: world.order.id,
        metadata: { orderId: world.order.id },
        payment_intent: "pi_forged",
      },
    },
  });
}

export function webhookCases(world: World): WebhookCase[] {
  const paid = forgedPayment(world);
  const now = Math.floor(Date.now() / 1000);
  const refused = (name: string, signature: string | undefined, body = paid, extra: Partial<WebhookCase> = {}): WebhookCase => ({
    name,
    body,
    contentType: "application/json",
    headers: signature === undefined ? {} : { "stripe-signature": signature },
    expect: [400],
    ...extra,
  });
  const zeros = "0".repeat(64);
  const big = JSON.stringify({ id: "evt_big", object: "event", type: "ping", pad: "x".repeat(70 * 1024) });
  return [
    refused("no Stripe-Signature header", undefined),
    refused("an empty Stripe-Signature", ""),
    refused("a signature of garbage", "garbage"),
    refused("empty timestamp and signature", "t=,v1="),
    refused("a timestamp that is not a number", `t=yesterday,v1=${zeros}`),
    refused("a signature of zeros", `t=${now},v1=${zeros}`),
    refused("a signature without a timestamp", sign(paid).replace(/t=\d+,/, "")),
    refused("signed with another secret", sign(paid, { secret: "whsec_somebody_else" })),
    refused("signed with the secret's prefix only", sign(paid, { secret: "whsec_" })),
    refused("signed ten minutes ago", sign(paid, { timestamp: now - 600 })),
    refused("signed under the v0 scheme only", sign(paid, { scheme: "v0" })),
    refused("a signature made over another body", sign(forgedPayment(world, 1)), paid),
    refused("signed, then the amount changed", sign(paid), paid.replace('"amount_total":2500', '"amount_total":1')),
    refused("signed, then a space added", sign(paid), `${paid} `),
    refused("8 KB of signature", `t=${now},v1=${"a".repeat(8192)}`),
    refused("a hundred signatures, none right", `t=${now},${Array.from({ length: 100 }, () => `v1=${zeros}`).join(",")}`),
    refused("the signature in another header", undefined, paid, { headers: { "x-stripe-signature": sign(paid) } }),
    refused("signed, the body not JSON", sign("{"), "{"),
    refused("signed, an empty body", sign(""), ""),
    refused("no signature, sent as text/plain", undefined, paid, { contentType: "text/plain" }),
    refused("no signature, sent as a form", undefined, "type=checkout.session.completed", { contentType: "application/x-www-form-urlencoded" }),
    refused("no signature, malformed JSON", undefined, "{"),
    refused("no signature, 1 MB streamed without a length", undefined, `{"pad":"${"x".repeat(1024 * 1024)}"}`, { chunked: true, expect: [400, 413] }),
    refused("rightly signed, over the 64 KiB body limit", sign(big), big, { expect: [413] }),
    // Rightly signed yet not an event of ours: only the holder of the secret could send these; still never a 5xx.
    ...["[]", "null", '"event"', "{}", '{"type":5}', '{"id":"evt_odd","type":"checkout.session.completed","data":null}', '{"id":"evt_odd2","type":"checkout.session.completed","data":{"object":{"metadata":{"orderId":[1]}}}}'].map(
      (body) => refused(`rightly signed, the body ${body}`, sign(body), body, { expect: [200, 400] }),
    ),
  ];
}
