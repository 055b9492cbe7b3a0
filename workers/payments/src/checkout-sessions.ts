import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { createEvent } from "../../../schema/events";
import { checkoutSessions, orders } from "../../../schema/tables/payments";
import { ApiError } from "../../shared/src/errors";
import { log } from "../../shared/src/log";
import { commit, stage, type Publisher } from "../../shared/src/messaging";
import { database, type Database } from "./db";
import { orderCancelled, type OrderRow } from "./order-replica";
import { paidSessionOf } from "./payment-data";
import { recordPayment } from "./payment-records";
import { refundIfCancelled } from "./refunds";
import { isInvalidRequest, stripeClient, type Stripe } from "./stripe-client";

type SessionRow = typeof checkoutSessions.$inferSelect;

/** Stripe refuses a session that expires sooner than 30 minutes after it is created. */
const MIN_SESSION_SECONDS = 30 * 60;
/** Room for the time between choosing `expires_at` and Stripe receiving it, and clock skew. */
const EXPIRY_MARGIN_SECONDS = 2 * 60;
/** Attempts one request may open (a session that expired, then an attempt Stripe refused). */
const MAX_ROUNDS = 3;

/** The name of the checkout's second line item, the shipping. */
export const SHIPPING_LINE = "Shipping";

/** A key per attempt: the same attempt always asks Stripe for the same session. */
export const checkoutKey = (orderId: string, attempt: number) => `checkout:${orderId}:${attempt}`;
export const expireKey = (sessionId: string) => `expire:${sessionId}`;

const nowIso = () => new Date().toISOString();

/** Stripe said the session expired (a payment marks it complete itself: see payment-records.ts). */
async function markExpired(db: Database, sessionId: string) {
  await db
    .update(checkoutSessions)
    .set({ status: "expired", updatedAt: nowIso() })
    .where(and(eq(checkoutSessions.sessionId, sessionId), inArray(checkoutSessions.status, ["pending", "open"])));
}

/** An attempt that can never be paid: the next request starts the next one. */
async function abandon(db: Database, orderId: string, attempt: number) {
  await db
    .update(checkoutSessions)
    .set({ status: "abandoned", updatedAt: nowIso() })
    .where(and(eq(checkoutSessions.orderId, orderId), eq(checkoutSessions.attempt, attempt)));
}

/** The session, or null if Stripe no longer knows it (a reset sandbox, keys of another account). */
async function retrieveKnown(stripe: Stripe, sessionId: string) {
  try {
    return await stripe.checkout.sessions.retrieve(sessionId);
  } catch (error) {
    if (isInvalidRequest(error) && error.code === "resource_missing") return null;
    throw error;
  }
}

/**
 * Reserves attempt `attempt` with its parameters, or reads the row a concurrent request
 * reserved first: either way every request for one attempt sends Stripe the same
 * parameters under the same key. `expires_at` is the later of the hold's end and Stripe's
 * minimum; the session outlives the hold, so cancelling the order expires it.
 */
async function reserveAttempt(db: Database, order: OrderRow, attempt: number, origin: string): Promise<SessionRow> {
  const now = Math.floor(Date.now() / 1000);
  const holdEnds = Math.floor(Date.parse(order.expiresAt) / 1000);
  const created = nowIso();
  await db
    .insert(checkoutSessions)
    .values({
      orderId: order.id,
      attempt,
      sessionId: null,
      status: "pending",
      expiresAt: Math.max(holdEnds, now + MIN_SESSION_SECONDS + EXPIRY_MARGIN_SECONDS),
      returnUrl: `${origin}/orders/complete?session_id={CHECKOUT_SESSION_ID}&order_id=${order.id}`,
      createdAt: created,
      updatedAt: created,
      amountCents: order.totalCents,
    })
    .onConflictDoNothing();
  const [row] = await db
    .select()
    .from(checkoutSessions)
    .where(and(eq(checkoutSessions.orderId, order.id), eq(checkoutSessions.attempt, attempt)));
  return row!;
}

/** An order the buyer can pay: one with a shipping address, and so a total. */
export type PayableOrder = OrderRow & { shippingCents: number; totalCents: number };

export const isPayable = (order: OrderRow): order is PayableOrder => order.shippingCents !== null && order.totalCents !== null;

/**
 * The session's parameters: the record and its shipping as two line items, which add up
 * to the order's total; amounts, currency and title from the replica, never from the browser.
 */
function sessionParams(order: PayableOrder, row: SessionRow): Stripe.Checkout.SessionCreateParams {
  if (order.priceCents + order.shippingCents !== order.totalCents) {
    throw new Error(`order ${order.id}: price ${order.priceCents} + shipping ${order.shippingCents} is not its total ${order.totalCents}`);
  }
  const currency = order.currency.toLowerCase();
  return {
    mode: "payment",
    ui_mode: "embedded_page",
    line_items: [
      { quantity: 1, price_data: { currency, unit_amount: order.priceCents, product_data: { name: order.title } } },
      { quantity: 1, price_data: { currency, unit_amount: order.shippingCents, product_data: { name: SHIPPING_LINE } } },
    ],
    return_url: row.returnUrl,
    expires_at: row.expiresAt,
    client_reference_id: order.id,
    metadata: { orderId: order.id },
    payment_intent_data: { metadata: { orderId: order.id } },
  };
}

/**
 * The open Checkout Session for `order`: the current one if Stripe says it is still open
 * and charges the order's total, else a new one (with the next attempt's key); one for
 * another total (the address changed, and the order_updated that expires it has not been
 * applied yet) is expired first. A session Stripe reports paid is recorded and answered 409.
 * Creating one publishes `checkout_started` with it; if the order turns out to have been
 * cancelled meanwhile, the new session is expired at once and answered 409.
 */
export async function openCheckout(env: Env, order: PayableOrder, origin: string, publisher: Publisher): Promise<Stripe.Checkout.Session> {
  const db = database(env);
  const stripe = stripeClient(env);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const [latest] = await db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.orderId, order.id))
      .orderBy(desc(checkoutSessions.attempt))
      .limit(1);
    let attempt = (latest?.attempt ?? 0) + 1;
    if (latest?.sessionId && latest.status !== "expired" && latest.status !== "abandoned") {
      const current = await retrieveKnown(stripe, latest.sessionId);
      if (current?.status === "open" && current.amount_total === order.totalCents) return current;
      if (current?.status === "open") {
        await expireSession(env, current.id, publisher);
        continue;
      }
      if (current?.status === "complete") {
        const paid = paidSessionOf(current);
        if (paid) await recordPayment(env, paid, publisher);
        throw new ApiError(409, "Order is already paid");
      }
      if (current) await markExpired(db, latest.sessionId);
      else await abandon(db, order.id, latest.attempt);
    } else if (latest && !latest.sessionId && latest.status === "pending") {
      // An attempt that never learnt its session (a crash, or a request still running): same key, same session.
      attempt = latest.attempt;
    }

    const row = await reserveAttempt(db, order, attempt, origin);
    if (row.sessionId) continue;
    let session: Stripe.Checkout.Session;
    try {
      session = await stripe.checkout.sessions.create(sessionParams(order, row), { idempotencyKey: checkoutKey(order.id, attempt) });
    } catch (error) {
      // Parameters kept from an attempt that never reached Stripe can have grown stale.
      if (isInvalidRequest(error) && error.param === "expires_at") {
        await abandon(db, order.id, attempt);
        continue;
      }
      throw error;
    }

    const event = createEvent("checkout_started", "payments", { orderId: order.id, sessionId: session.id }, attempt);
    // The session row is written before the replica is read, and the order_cancelled
    // consumer does the reverse, so a cancellation either sees this session or is seen here.
    const [, , now] = await commit(
      db,
      [
        db
          .update(checkoutSessions)
          .set({ sessionId: session.id, status: "open", updatedAt: nowIso() })
          .where(and(eq(checkoutSessions.orderId, order.id), eq(checkoutSessions.attempt, attempt), isNull(checkoutSessions.sessionId))),
        stage(db, event, { when: sql`changes() = 1 and not ${orderCancelled(order.id)}` }),
        db.select({ status: orders.status }).from(orders).where(eq(orders.id, order.id)),
      ],
      publisher,
    );
    if (now[0]?.status === "cancelled") {
      await expireSession(env, session.id, publisher);
      throw new ApiError(409, "Order is cancelled");
    }
    log.info("checkout session opened", { service: "payments", orderId: order.id, sessionId: session.id, attempt });
    return session;
  }
  throw new Error(`no checkout session for order ${order.id} after ${MAX_ROUNDS} attempts`);
}

/**
 * Expires one session so it can no longer be paid. If Stripe refuses because the buyer
 * paid first, the payment is recorded (and refunded, the order being cancelled).
 */
async function expireSession(env: Env, sessionId: string, publisher: Publisher) {
  const db = database(env);
  const stripe = stripeClient(env);
  try {
    await stripe.checkout.sessions.expire(sessionId, {}, { idempotencyKey: expireKey(sessionId) });
    await markExpired(db, sessionId);
    return;
  } catch (error) {
    // Stripe gives no code for "not open"; the session itself says what happened.
    if (!isInvalidRequest(error)) throw error;
  }
  const current = await retrieveKnown(stripe, sessionId);
  // A session Stripe no longer knows can no longer be paid either.
  if (!current || current.status === "expired") return markExpired(db, sessionId);
  const paid = current.status === "complete" ? paidSessionOf(current) : null;
  if (!paid) throw new Error(`session ${sessionId} could not be expired and is ${current.status}/${current.payment_status}`);
  // Refunded if its order was cancelled; otherwise the order is paid, at the session's amount.
  log.warn("session paid before it could be expired; recording the payment", { service: "payments", orderId: paid.orderId, sessionId });
  await recordPayment(env, paid, publisher);
}

/**
 * An order's total changed: every open session that charges another amount is expired (and
 * one the buyer paid meanwhile recorded). Sessions for the new total are left open.
 */
export async function expireStaleCheckout(env: Env, orderId: string, publisher: Publisher) {
  const db = database(env);
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId)).limit(1);
  if (!order) return;
  const open = await db
    .select({ sessionId: checkoutSessions.sessionId })
    .from(checkoutSessions)
    .where(and(eq(checkoutSessions.orderId, orderId), eq(checkoutSessions.status, "open")));
  const stripe = stripeClient(env);
  for (const { sessionId } of open) {
    if (!sessionId) continue;
    const current = await retrieveKnown(stripe, sessionId);
    if (current?.status === "open" && current.amount_total === order.totalCents) continue;
    await expireSession(env, sessionId, publisher);
  }
}

/**
 * A cancelled order's checkout ends: each open session is expired, one the buyer paid
 * meanwhile is recorded and refunded, and any payment already recorded is refunded. The
 * replica must already say cancelled (the consumer commits it first). Safe to repeat.
 */
export async function closeCheckout(env: Env, orderId: string, publisher: Publisher) {
  const open = await database(env)
    .select({ sessionId: checkoutSessions.sessionId })
    .from(checkoutSessions)
    .where(and(eq(checkoutSessions.orderId, orderId), eq(checkoutSessions.status, "open")));
  for (const { sessionId } of open) if (sessionId) await expireSession(env, sessionId, publisher);
  await refundIfCancelled(env, orderId, publisher);
}
