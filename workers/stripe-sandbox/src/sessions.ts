import { and, eq, sql } from "drizzle-orm";
import { database } from "./db";
import { cardDeclined, invalidRequest, StripeError, parameterInvalid, parameterMissing, parameterUnknown, resourceMissing } from "./errors";
import type { FormObject, FormValue } from "./form";
import { newId, nowSeconds } from "./ids";
import { sessionObject, type SessionRow } from "./objects";
import { paymentIntents, sessions } from "./schema";
import type { SandboxBindings } from "./bindings";
import { emit } from "./webhooks";

const CREATE_PARAMS = new Set([
  "mode", "ui_mode", "line_items", "return_url", "success_url", "cancel_url", "expires_at", "metadata",
  "client_reference_id", "payment_intent_data", "customer_email", "expand",
]);
const MIN_EXPIRY_SECONDS = 30 * 60;
const MAX_EXPIRY_SECONDS = 24 * 60 * 60;
const DEFAULT_EXPIRY_SECONDS = 24 * 60 * 60;

const isObject = (v: FormValue | undefined): v is { [key: string]: FormValue } => typeof v === "object" && !Array.isArray(v);
const isList = (v: FormValue | undefined): v is FormValue[] => Array.isArray(v);

function integer(value: FormValue | undefined, param: string, min: number) {
  if (typeof value !== "string" || !/^-?\d+$/.test(value)) {
    throw invalidRequest(`Invalid integer: ${typeof value === "string" ? value : "(object)"}`, { code: "parameter_invalid_integer", param });
  }
  const n = Number(value);
  if (n < min) throw parameterInvalid(param, `This value must be greater than or equal to ${min}.`);
  return n;
}

/** `metadata[key]=value`: at most 50 keys of 40 characters, values of 500 (Stripe's limits). */
function metadata(value: FormValue | undefined, param: string): Record<string, string> {
  if (value === undefined || value === "") return {};
  if (!isObject(value)) throw parameterInvalid(param, "Invalid object");
  const entries = Object.entries(value);
  if (entries.length > 50) throw parameterInvalid(param, "Metadata can have at most 50 keys.");
  for (const [k, v] of entries) {
    if (typeof v !== "string") throw parameterInvalid(`${param}[${k}]`, "Metadata values must be strings.");
    if (k.length > 40) throw parameterInvalid(param, `Metadata keys must be at most 40 characters; ${k} is too long.`);
    if (v.length > 500) throw parameterInvalid(`${param}[${k}]`, "Metadata values must be at most 500 characters.");
  }
  return value as Record<string, string>;
}

type LineItem = { name: string; unitAmount: number; quantity: number; currency: string };

/** Inline-priced line items (`price_data`); the sandbox keeps no Price catalogue. */
function lineItems(value: FormValue | undefined): LineItem[] {
  if (value === undefined) throw parameterMissing("line_items");
  if (!isList(value) || value.length === 0) throw parameterInvalid("line_items", "line_items must be a non-empty list.");
  return value.map((item, i) => {
    const param = `line_items[${i}]`;
    if (!isObject(item)) throw parameterInvalid(param, "Invalid object");
    if (item.price !== undefined) throw parameterInvalid(`${param}[price]`, "The sandbox supports only price_data.");
    const priceData = item.price_data;
    if (!isObject(priceData)) throw parameterMissing(`${param}[price_data]`);
    const currency = priceData.currency;
    if (typeof currency !== "string" || !/^[a-zA-Z]{3}$/.test(currency)) {
      throw parameterInvalid(`${param}[price_data][currency]`, `Invalid currency: ${String(currency)}.`);
    }
    const product = priceData.product_data;
    if (!isObject(product) || typeof product.name !== "string" || product.name.trim() === "") {
      throw parameterMissing(`${param}[price_data][product_data][name]`);
    }
    if (priceData.unit_amount === undefined) throw parameterMissing(`${param}[price_data][unit_amount]`);
    if (item.quantity === undefined) throw parameterMissing(`${param}[quantity]`);
    return {
      name: product.name,
      unitAmount: integer(priceData.unit_amount, `${param}[price_data][unit_amount]`, 0),
      quantity: integer(item.quantity, `${param}[quantity]`, 1),
      currency: currency.toLowerCase(),
    };
  });
}

function url(value: FormValue | undefined, param: string) {
  if (value === undefined) return null;
  if (typeof value !== "string" || !URL.canParse(value)) throw invalidRequest("Not a valid URL", { code: "url_invalid", param });
  return value;
}

/** Validates `POST /v1/checkout/sessions` parameters as Stripe does for a payment-mode session. */
export async function createSession(env: SandboxBindings, params: FormObject) {
  for (const key of Object.keys(params)) if (!CREATE_PARAMS.has(key)) throw parameterUnknown(key);
  if (params.mode === undefined) throw parameterMissing("mode");
  if (params.mode !== "payment") throw parameterInvalid("mode", "The sandbox supports only mode=payment.");
  const uiMode = params.ui_mode ?? "hosted_page";
  if (uiMode !== "hosted_page" && uiMode !== "embedded_page") {
    throw parameterInvalid("ui_mode", `Invalid ui_mode: must be one of hosted_page or embedded_page`);
  }
  const items = lineItems(params.line_items);
  const currencies = new Set(items.map((i) => i.currency));
  if (currencies.size > 1) throw parameterInvalid("line_items", "All line items must use the same currency.");

  const returnUrl = url(params.return_url, "return_url");
  const successUrl = url(params.success_url, "success_url");
  const cancelUrl = url(params.cancel_url, "cancel_url");
  if (uiMode === "embedded_page") {
    if (successUrl || cancelUrl) {
      throw parameterInvalid(successUrl ? "success_url" : "cancel_url", "You cannot use success_url or cancel_url with ui_mode=embedded_page; use return_url.");
    }
    if (!returnUrl) throw parameterMissing("return_url");
  } else {
    if (returnUrl) throw parameterInvalid("return_url", "return_url can only be used with ui_mode=embedded_page.");
    if (!successUrl) throw parameterMissing("success_url");
  }

  const created = nowSeconds();
  let expiresAt = created + DEFAULT_EXPIRY_SECONDS;
  if (params.expires_at !== undefined) {
    expiresAt = integer(params.expires_at, "expires_at", 0);
    if (expiresAt < created + MIN_EXPIRY_SECONDS) {
      throw parameterInvalid("expires_at", "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.");
    }
    if (expiresAt > created + MAX_EXPIRY_SECONDS) {
      throw parameterInvalid("expires_at", "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.");
    }
  }
  const paymentIntentData = params.payment_intent_data;
  if (paymentIntentData !== undefined && !isObject(paymentIntentData)) throw parameterInvalid("payment_intent_data", "Invalid object");
  const clientReferenceId = params.client_reference_id;
  if (clientReferenceId !== undefined && typeof clientReferenceId !== "string") {
    throw parameterInvalid("client_reference_id", "Invalid string");
  }

  const id = newId.session();
  const row: SessionRow = {
    id,
    clientSecret: newId.clientSecret(id),
    status: "open",
    paymentStatus: "unpaid",
    mode: "payment",
    uiMode: uiMode as string,
    amountTotal: items.reduce((sum, i) => sum + i.unitAmount * i.quantity, 0),
    currency: items[0]!.currency,
    lineItems: JSON.stringify(items),
    metadata: JSON.stringify(metadata(params.metadata, "metadata")),
    clientReferenceId: clientReferenceId ?? null,
    paymentIntentMetadata: JSON.stringify(metadata(paymentIntentData?.metadata, "payment_intent_data[metadata]")),
    paymentIntent: null,
    returnUrl,
    successUrl,
    cancelUrl,
    expiresAt,
    created,
  };
  await database(env).insert(sessions).values(row);
  return row;
}

/**
 * The session as it stands. One still open past `expires_at` expires now, with its event,
 * as Stripe expires sessions on its own.
 */
export async function loadSession(env: SandboxBindings, id: string): Promise<SessionRow | null> {
  const db = database(env);
  const [row] = await db.select().from(sessions).where(eq(sessions.id, id)).limit(1);
  if (row && row.status === "open" && row.expiresAt <= nowSeconds()) return (await expireOpen(env, id)) ?? loadSession(env, id);
  return row ?? null;
}

export async function requireSession(env: SandboxBindings, id: string) {
  const row = await loadSession(env, id);
  if (!row) throw resourceMissing("checkout.session", id, "session");
  return row;
}

/** open → expired, only from open (a concurrent payment wins or loses as one statement decides). */
async function expireOpen(env: SandboxBindings, id: string) {
  const [row] = await database(env)
    .update(sessions)
    .set({ status: "expired" })
    .where(and(eq(sessions.id, id), eq(sessions.status, "open")))
    .returning();
  if (row) await emit(env, "checkout.session.expired", sessionObject(row));
  return row;
}

/** `POST /v1/checkout/sessions/:id/expire`: only an open session can be expired. */
export async function expireSession(env: SandboxBindings, id: string) {
  const current = await requireSession(env, id);
  const row = current.status === "open" ? await expireOpen(env, id) : undefined;
  if (!row) {
    const status = (await requireSession(env, id)).status;
    // Stripe's words; it sends no `code` for this refusal.
    throw invalidRequest(`Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of \`${status}\`.`);
  }
  return row;
}

/** Stripe's test cards: the sandbox's only way to choose an outcome. */
const TEST_CARDS: Record<string, { decline?: [message: string, code: string] }> = {
  "4242424242424242": {},
  "5555555555554444": {},
  "4000000000000002": { decline: ["Your card was declined.", "generic_decline"] },
  "4000000000009995": { decline: ["Your card has insufficient funds.", "insufficient_funds"] },
};
export const SUCCESS_CARD = "4242424242424242";
export const DECLINED_CARD = "4000000000000002";

function luhn(digits: string) {
  let sum = 0;
  for (const [i, ch] of [...digits].reverse().entries()) {
    let d = Number(ch);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Throws the card error Stripe gives for `card`, or returns for a card that pays. */
function chargeCard(card: string) {
  const digits = card.replace(/[\s-]/g, "");
  if (!/^\d{12,19}$/.test(digits) || !luhn(digits)) {
    throw new StripeError(402, "card_error", "Your card number is incorrect.", { code: "incorrect_number", param: "number" });
  }
  const test = TEST_CARDS[digits];
  if (!test) {
    throw cardDeclined(
      "Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.",
      "test_mode_live_card",
    );
  }
  if (test.decline) throw cardDeclined(...test.decline);
}

/**
 * Pays an open session with `card`: the session becomes complete and paid with a new
 * payment intent, and `checkout.session.completed` is delivered before this returns.
 * A declined card changes nothing. Answers the session as it now stands.
 */
export async function paySession(env: SandboxBindings, id: string, card: string) {
  const current = await requireSession(env, id);
  if (current.status !== "open") throw invalidRequest(`This Checkout Session is no longer active (status \`${current.status}\`).`);
  chargeCard(card);
  const db = database(env);
  const paymentIntent = newId.paymentIntent();
  const [updated] = await db.batch([
    db
      .update(sessions)
      .set({ status: "complete", paymentStatus: "paid", paymentIntent })
      .where(and(eq(sessions.id, id), eq(sessions.status, "open")))
      .returning(),
    // Only if this payment completed the session: one that expired meanwhile takes no money.
    db.insert(paymentIntents).select(
      sql`select ${paymentIntent}, ${current.amountTotal}, 0, ${current.currency}, ${newId.charge()}, ${current.paymentIntentMetadata}, ${nowSeconds()}
          where exists (select 1 from ${sessions} where ${sessions.id} = ${id} and ${sessions.paymentIntent} = ${paymentIntent})`,
    ),
  ]);
  const row = updated[0];
  if (!row) throw invalidRequest("This Checkout Session is no longer active.");
  await emit(env, "checkout.session.completed", sessionObject(row));
  return row;
}
