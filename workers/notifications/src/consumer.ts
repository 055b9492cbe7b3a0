import { eq, sql, type SQL } from "drizzle-orm";
import type { EventOf } from "../../../schema/events";
import { contacts, emails, listings, orders, wants } from "../../../schema/tables/notifications";
import { log } from "../../shared/src/log";
import { createInboxConsumer, type Effect, type Handlers, type Statement } from "../../shared/src/messaging";
import { applyProfileUpdated, applySessionRevoked } from "../../shared/src/replicas";
import { database, type Database } from "./db";
import type { EmailData } from "./emails/kinds";
import { sendDue } from "./mailer";
import { matchingWants } from "./matching";

/**
 * Handlers only write: the replicas they keep and the emails an event calls for, in the
 * inbox's batch, so an event handled twice (a redelivery, a concurrent duplicate) writes
 * its emails once, each under a key that names what it is about. Sending happens after the
 * batch commits (src/mailer.ts).
 */

type OrderEvent = EventOf<"order_created" | "order_cancelled" | "order_completed" | "order_updated">;
type Order = OrderEvent["data"];

/** One email to write: to whom, about what, and until when it is worth sending. */
type Wanted = { to: string; data: EmailData; notAfter?: string };

/** The email row: its key names its kind, what it is about and its recipient. */
function emailRow(eventId: string, about: string, { to, data, notAfter }: Wanted) {
  return {
    key: `${data.kind}:${about}:${to}`,
    kind: data.kind,
    recipientId: to,
    eventId,
    data: JSON.stringify(data),
    createdAt: Date.now(),
    notAfter: notAfter ? Date.parse(notAfter) : null,
  };
}

/** The email row, written once. */
function writeEmail(db: Database, eventId: string, about: string, wanted: Wanted): Statement {
  return db.insert(emails).values(emailRow(eventId, about, wanted)).onConflictDoNothing();
}

/**
 * The email row, written once, and only if `when` holds at its place in the batch: a
 * handler's reads see the database as it was before its delivery, so what an earlier event
 * of the same delivery changed is only known to SQL run in the batch.
 */
function writeEmailIf(db: Database, eventId: string, about: string, wanted: Wanted, when: SQL): Statement {
  const row = emailRow(eventId, about, wanted);
  // Values in the table's column order, which insert … select requires; no want, pending, unclaimed.
  return db
    .insert(emails)
    .select(
      sql`select ${row.key}, ${row.kind}, ${row.recipientId}, ${row.eventId}, ${row.data}, null, ${row.createdAt}, ${row.notAfter},
        'pending', null, 0, null, null, null where ${when}`,
    )
    .onConflictDoNothing();
}

/** What each order event tells its buyer and seller. */
function orderEmails(type: OrderEvent["type"], o: Order): Wanted[] {
  const base = { orderId: o.id, title: o.vinyl.title };
  const total = o.totalCents ?? o.vinyl.priceCents;
  switch (type) {
    case "order_created":
      return [
        {
          to: o.userId,
          data: { kind: "order_held", ...base, priceCents: o.vinyl.priceCents, currency: o.vinyl.currency, expiresAt: o.expiresAt },
          notAfter: o.expiresAt,
        },
      ];
    // A buyer who cancelled knows; a record withdrawn by its seller is said on the order page.
    case "order_cancelled":
      return o.cancelReason === "expired" ? [{ to: o.userId, data: { kind: "hold_expired", ...base, vinylId: o.vinyl.id } }] : [];
    case "order_completed": {
      const amounts = { priceCents: o.vinyl.priceCents, shippingCents: o.shippingCents, totalCents: total, currency: o.vinyl.currency };
      return [
        { to: o.userId, data: { kind: "receipt", ...base, ...amounts } },
        { to: o.sellerId, data: { kind: "sold", ...base, ...amounts, buyerId: o.userId } },
      ];
    }
    case "order_updated":
      if (o.fulfilment === "shipped" && o.shipment) {
        const { carrier, trackingNumber, shippedAt } = o.shipment;
        return [{ to: o.userId, data: { kind: "shipped", ...base, carrier, trackingNumber, shippedAt } }];
      }
      if (o.fulfilment === "delivered" && o.deliveredAt) {
        return [{ to: o.sellerId, data: { kind: "delivered", ...base, deliveredAt: o.deliveredAt } }];
      }
      return [];
  }
}

/**
 * Keeps the order replica (by version) and writes the emails of an event only if, right
 * after its upsert, the replica holds this event's version: the newest event announces, a
 * late one nothing (an `order_created` that arrives after the cancellation sends no "held
 * for you"), whatever order the events arrive in, in one delivery or several. Decided in
 * the batch, so no read: a read would miss an event ahead of it in the same delivery.
 */
function applyOrder(event: OrderEvent, env: Env): Effect {
  const db = database(env);
  const o = event.data;
  const upsert = db
    .insert(orders)
    .values({ id: o.id, buyerId: o.userId, sellerId: o.sellerId, vinylId: o.vinyl.id, title: o.vinyl.title, status: o.status, expiresAt: o.expiresAt, version: o.version })
    .onConflictDoUpdate({
      target: orders.id,
      set: { status: o.status, expiresAt: o.expiresAt, version: o.version, title: o.vinyl.title },
      setWhere: sql`excluded.version > ${orders.version}`,
    });
  const newest = sql`(select ${orders.version} from ${orders} where ${orders.id} = ${o.id}) = ${o.version}`;
  return { statements: [upsert, ...orderEmails(event.type, o).map((w) => writeEmailIf(db, event.id, o.id, w, newest))] };
}

/** An order these events name must have been heard of; until it is, the event is retried. */
async function knownOrder(db: Database, orderId: string) {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId)).limit(1);
  if (!order) throw new Error(`order ${orderId} not known yet`);
  return order;
}

/** A payment refunded (it arrived for an order that had ended): its buyer hears of it. */
async function applyRefund(event: EventOf<"payment_refunded">, env: Env): Promise<Effect> {
  const db = database(env);
  const p = event.data;
  const order = await knownOrder(db, p.orderId);
  const data: EmailData = { kind: "refund", orderId: order.id, title: order.title, amountCents: p.amountCents, currency: p.currency };
  return { statements: [writeEmail(db, event.id, p.id, { to: order.buyerId, data })] };
}

/** The hold's early alarm: its buyer is reminded, unless the order was paid or ended meanwhile. */
async function applyHoldEnding(event: EventOf<"hold_ending">, env: Env): Promise<Effect> {
  const db = database(env);
  const { orderId, userId, expiresAt } = event.data;
  const order = await knownOrder(db, orderId);
  if (order.status !== "created" && order.status !== "awaiting_payment") return {};
  const data: EmailData = { kind: "hold_ending", orderId, title: order.title, expiresAt };
  // Asked again in the batch: a payment or cancellation ahead of this event in its delivery is not in the read.
  const unpaid = sql`(select ${orders.status} from ${orders} where ${orders.id} = ${orderId}) in ('created', 'awaiting_payment')`;
  return { statements: [writeEmailIf(db, event.id, orderId, { to: userId, data, notAfter: expiresAt }, unpaid)] };
}

/** A buyer's feedback: its seller hears of it, with the words, once. */
function applyFeedback(event: EventOf<"feedback_left">, env: Env): Effect {
  const db = database(env);
  const { orderId, sellerId, buyerId, title, rating, comment } = event.data;
  const data: EmailData = { kind: "feedback", orderId, title, buyerId, rating, comment };
  return { statements: [writeEmail(db, event.id, orderId, { to: sellerId, data })] };
}

/**
 * A password reset link for a user: one email, keyed by the event (a redelivery writes
 * nothing new), never sent after the link has expired. Like every email it waits for the
 * recipient's address; its token stays sealed until the email is written.
 */
function applyPasswordReset(event: EventOf<"password_reset_requested">, env: Env): Effect {
  const db = database(env);
  const { userId, sealedToken, expiresAt } = event.data;
  const data: EmailData = { kind: "password_reset", sealedToken, expiresAt };
  return { statements: [writeEmail(db, event.id, event.id, { to: userId, data, notAfter: expiresAt })] };
}

function applyContact(event: EventOf<"contact_updated">, env: Env): Effect {
  const db = database(env);
  const { userId, email } = event.data;
  return {
    statements: [
      db
        .insert(contacts)
        .values({ userId, email, version: event.version })
        .onConflictDoUpdate({ target: contacts.userId, set: { email, version: event.version }, setWhere: sql`excluded.version > ${contacts.version}` }),
    ],
  };
}

/**
 * A listing is matched against the wantlist when it is first seen for sale, and again when
 * its price falls below the last price seen (wants whose maximum it now meets). Each want
 * gets one alert per record, ever: the alert's key is the want and the record.
 */
async function applyVinyl(event: EventOf<"vinyl_created" | "vinyl_updated">, env: Env): Promise<Effect> {
  const db = database(env);
  const v = event.data;
  const [known] = await db.select().from(listings).where(eq(listings.vinylId, v.id)).limit(1);
  if (known && known.version >= v.version) return {};
  const upsert = db
    .insert(listings)
    .values({ vinylId: v.id, sellerId: v.userId, priceCents: v.priceCents, status: v.status, version: v.version })
    .onConflictDoUpdate({
      target: listings.vinylId,
      set: { sellerId: v.userId, priceCents: v.priceCents, status: v.status, version: v.version },
      setWhere: sql`excluded.version > ${listings.version}`,
    });
  const listed = !known || known.status !== "available";
  const dropped = known !== undefined && known.status === "available" && v.priceCents < known.priceCents;
  if (v.status !== "available" || !(listed || dropped)) return { statements: [upsert] };
  const matched = await matchingWants(db, v);
  if (matched.length === 0) return { statements: [upsert] };
  const data: EmailData = {
    kind: "want_match",
    vinyl: { id: v.id, title: v.title, artist: v.artist, genre: v.genre, priceCents: v.priceCents, currency: v.currency, mediaCondition: v.mediaCondition },
    previousPriceCents: dropped ? known!.priceCents : null,
  };
  log.info("listing matches wants", { eventId: event.id, vinylId: v.id, wants: matched.length });
  // One statement for every match, however many: the rows are built by SQLite from the wants.
  // Only while the replica holds this version: a newer event ahead of this one in its
  // delivery (a withdrawal, say) is not in the read above.
  const alerts = db.insert(emails).select(
    sql`select 'want:' || ${wants.id} || ':' || ${v.id}, 'want_match', ${wants.userId}, ${event.id}, ${JSON.stringify(data)},
      ${wants.id}, ${Date.now()}, null, 'pending', null, 0, null, null, null
      from ${wants} where ${wants.id} in (select value from json_each(${JSON.stringify(matched.map((w) => w.id))}))
      and (select ${listings.version} from ${listings} where ${listings.vinylId} = ${v.id}) = ${v.version}`,
  );
  return { statements: [upsert, alerts.onConflictDoNothing()] };
}

const handlers: Handlers<Env> = {
  order_created: applyOrder,
  order_cancelled: applyOrder,
  order_completed: applyOrder,
  order_updated: applyOrder,
  payment_refunded: applyRefund,
  hold_ending: applyHoldEnding,
  feedback_left: applyFeedback,
  password_reset_requested: applyPasswordReset,
  contact_updated: applyContact,
  vinyl_created: applyVinyl,
  vinyl_updated: applyVinyl,
  profile_updated: (event, env) => applyProfileUpdated(database(env), event),
  session_revoked: (event, env) => applySessionRevoked(database(env), event),
};

const inbox = createInboxConsumer<Env>({ inbox: "notifications", db: database, handlers });

/**
 * The `notifications-events` inbox: applies the batch, then sends the emails it wrote (and
 * any others due). Every message is acknowledged by then, so a failure to send only leaves
 * the emails for the next run or the cron.
 */
export async function queue(batch: MessageBatch, env: Env, ctx: ExecutionContext) {
  await inbox(batch, env, ctx);
  try {
    await sendDue(env);
  } catch (error) {
    log.error("sending after the batch failed; the cron sends the rest", { error: String(error) });
  }
}
