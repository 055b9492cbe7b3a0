import { z } from "zod";
import {
  CANCEL_REASONS,
  COUNTRIES,
  FEEDBACK_RATINGS,
  FULFILMENT_STATUSES,
  GENRES,
  MEDIA_GRADES,
  ORDER_STATUSES,
  SLEEVE_GRADES,
  USERNAME_PATTERN,
  VINYL_STATUSES,
} from "./vocabulary";

export { CANCEL_REASONS, COUNTRIES, FULFILMENT_STATUSES, GENRES, MEDIA_GRADES, ORDER_STATUSES, SLEEVE_GRADES, VINYL_STATUSES };

/**
 * Event contracts: what crosses a Worker boundary on a queue. Every message is one
 * envelope; `version` is the aggregate's version after the change, which replicas use to
 * ignore stale updates (DESIGN §3.3).
 */

const isoDate = z.iso.datetime({ offset: true });
const cents = z.number().int().nonnegative();
const currency = z.string().regex(/^[A-Z]{3}$/);
const country = z.string().refine((code) => COUNTRIES.includes(code), "Unknown country code");

/** The public listing, as catalog publishes it. */
export const vinylData = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  title: z.string(),
  artist: z.string().nullable(),
  genre: z.enum(GENRES),
  priceCents: cents,
  currency,
  description: z.string().nullable(),
  imageUrl: z.string().nullable(),
  mediaCondition: z.enum(MEDIA_GRADES).nullable(),
  sleeveCondition: z.enum(SLEEVE_GRADES).nullable(),
  format: z.string().nullable(),
  year: z.number().int().nullable(),
  label: z.string().nullable(),
  /**
   * Where the record ships from and what shipping costs: at home (`shipsFrom`'s country)
   * and abroad, `null` when the seller does not ship abroad. The defaults are what listings
   * made before shipping existed were given (docs/decisions.md).
   */
  shipsFrom: country.default("US"),
  shippingDomesticCents: cents.default(500),
  shippingInternationalCents: cents.nullable().default(null),
  status: z.enum(VINYL_STATUSES),
  orderId: z.uuid().nullable(),
  version: z.number().int().nonnegative(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

/**
 * An order as orders publishes it. The buyer's shipping address is not here: only the
 * buyer and the seller may see it, and no subscriber needs it.
 */
export const orderData = z.object({
  id: z.uuid(),
  /** The buyer. */
  userId: z.uuid(),
  sellerId: z.uuid(),
  status: z.enum(ORDER_STATUSES),
  cancelReason: z.enum(CANCEL_REASONS).nullable(),
  expiresAt: isoDate,
  vinyl: z.object({ id: z.uuid(), title: z.string(), priceCents: cents, currency }),
  /** Known once the buyer gave an address; the total is what checkout charges. */
  shippingCents: cents.nullable().default(null),
  totalCents: cents.nullable().default(null),
  /** `null` until paid, then `to_ship` → `shipped` → `delivered`. */
  fulfilment: z.enum(FULFILMENT_STATUSES).nullable().default(null),
  shipment: z
    .object({ carrier: z.string(), trackingNumber: z.string(), shippedAt: isoDate })
    .nullable()
    .default(null),
  deliveredAt: isoDate.nullable().default(null),
  version: z.number().int().nonnegative(),
  createdAt: isoDate,
});

/**
 * A user's public profile, as auth publishes it (never the email address). `memberSince`
 * is when the account was made.
 */
export const profileData = z.object({
  userId: z.uuid(),
  username: z.string().regex(USERNAME_PATTERN),
  displayName: z.string().nullable(),
  country: country.nullable(),
  memberSince: isoDate,
});

/** A session that ended before its token expired (sign-out, password change). */
export const sessionRevokedData = z.object({
  sessionId: z.uuid(),
  userId: z.uuid(),
  /** When the token would have expired; after that the revocation can be forgotten. */
  expiresAt: isoDate,
});

export const expirationData = z.object({ orderId: z.uuid() });

/**
 * A hold is about to end (the hold's early alarm, a few minutes before `expiresAt`), so the
 * buyer can still pay. Sent by the order's `OrderHold` straight to its subscribers.
 */
export const holdEndingData = z.object({ orderId: z.uuid(), userId: z.uuid(), expiresAt: isoDate });

/**
 * A buyer's feedback on a sale, left once (orders), so its seller hears of it. Version 0:
 * feedback is never edited.
 */
export const feedbackData = z.object({
  orderId: z.uuid(),
  sellerId: z.uuid(),
  buyerId: z.uuid(),
  title: z.string(),
  rating: z.enum(FEEDBACK_RATINGS),
  comment: z.string().nullable(),
  createdAt: isoDate,
});

/**
 * Where to write to a user: auth publishes it at sign-up and whenever the address changes
 * (envelope `version` = the address's version). Only notifications subscribes: email
 * addresses live in auth and notifications alone (DESIGN §3.9).
 */
export const contactData = z.object({ userId: z.uuid(), email: z.email() });

/**
 * Someone asked to reset a password ("Forgot password"): the link's token, which auth keeps
 * only as a hash, goes to notifications alone, sealed, which opens it to email it to the
 * account's address (workers/shared/src/reset-link-seal.ts). Each reset is its own event
 * (version 0); the token works once, until `expiresAt`.
 */
export const passwordResetRequestedData = z.object({
  userId: z.uuid(),
  /** The link's `?token=` (32 random bytes, base64url) sealed: a compact JWE, `dir` with A256GCM. */
  sealedToken: z.string().regex(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/).max(512),
  expiresAt: isoDate,
});

export const checkoutStartedData = z.object({
  orderId: z.uuid(),
  sessionId: z.string().min(1),
});

export const paymentData = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  stripeSessionId: z.string().min(1),
  stripePaymentIntentId: z.string().nullable(),
  amountCents: cents,
  currency,
});

/** Event type → the shape of its `data`. */
export const eventData = {
  vinyl_created: vinylData,
  vinyl_updated: vinylData,
  order_created: orderData,
  order_cancelled: orderData,
  order_completed: orderData,
  /** The order changed without changing status: shipping address and total, shipment, delivery. */
  order_updated: orderData,
  expiration_complete: expirationData,
  checkout_started: checkoutStartedData,
  payment_created: paymentData,
  payment_refunded: paymentData,
  profile_updated: profileData,
  session_revoked: sessionRevokedData,
  contact_updated: contactData,
  hold_ending: holdEndingData,
  feedback_left: feedbackData,
  password_reset_requested: passwordResetRequestedData,
} as const;

export type EventType = keyof typeof eventData;
export const EVENT_TYPES = Object.keys(eventData) as EventType[];

export const SOURCES = ["auth", "catalog", "orders", "expiration", "payments"] as const;
export type Source = (typeof SOURCES)[number];

/** The services that own an inbox queue, `<inbox>-events`. */
// Auth's inbox carries only messaging's own control messages (resend requests) until
// something is routed to it. Notifications publishes nothing; it only has an inbox.
export const INBOXES = ["auth", "catalog", "orders", "expiration", "payments", "notifications"] as const;
export type Inbox = (typeof INBOXES)[number];

/**
 * Fan-out lives with the publisher: a Cloudflare queue has exactly one consumer, so each
 * event is sent to every subscriber's inbox.
 */
export const ROUTES: { readonly [T in EventType]: readonly Inbox[] } = {
  vinyl_created: ["orders", "notifications"],
  vinyl_updated: ["orders", "notifications"],
  order_created: ["catalog", "payments", "expiration", "notifications"],
  order_cancelled: ["catalog", "payments", "expiration", "notifications"],
  order_completed: ["catalog", "payments", "expiration", "notifications"],
  order_updated: ["payments", "notifications"],
  expiration_complete: ["orders"],
  checkout_started: ["orders"],
  payment_created: ["orders"],
  payment_refunded: ["orders", "notifications"],
  profile_updated: ["catalog", "orders", "notifications"],
  session_revoked: ["catalog", "orders", "payments", "notifications"],
  contact_updated: ["notifications"],
  hold_ending: ["notifications"],
  feedback_left: ["notifications"],
  password_reset_requested: ["notifications"],
};

export const queueName = (inbox: Inbox) => `${inbox}-events` as const;

const envelopeBase = {
  id: z.uuid(),
  version: z.number().int().nonnegative(),
  occurredAt: isoDate,
  source: z.enum(SOURCES),
  /**
   * Set on delivery, not by the publisher: the message's number among those the source's
   * outbox sent to this inbox (1, 2, 3 … without gaps), so the inbox can tell when one is
   * missing. Absent on messages that bypass an outbox (the hold's alarm).
   */
  seq: z.number().int().positive().optional(),
};

const envelopeOf = <T extends EventType>(type: T) =>
  z.object({ ...envelopeBase, type: z.literal(type), data: eventData[type] });

/** One envelope per event type, discriminated by `type`. */
export const eventEnvelope = z.discriminatedUnion("type", [
  envelopeOf("vinyl_created"),
  envelopeOf("vinyl_updated"),
  envelopeOf("order_created"),
  envelopeOf("order_cancelled"),
  envelopeOf("order_completed"),
  envelopeOf("order_updated"),
  envelopeOf("expiration_complete"),
  envelopeOf("checkout_started"),
  envelopeOf("payment_created"),
  envelopeOf("payment_refunded"),
  envelopeOf("profile_updated"),
  envelopeOf("session_revoked"),
  envelopeOf("contact_updated"),
  envelopeOf("hold_ending"),
  envelopeOf("feedback_left"),
  envelopeOf("password_reset_requested"),
]);

export type DomainEvent = z.infer<typeof eventEnvelope>;
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/**
 * Messages about the messaging itself, never stored in an outbox and never numbered: losing
 * one only delays the next. A sender's cron tells each inbox the highest `seq` it has sent
 * it (`heartbeat`), so a lost last message shows as a gap too; an inbox that found a gap
 * asks the sender to send those numbers again (`resend`).
 */
const seqRange = z.tuple([z.number().int().positive(), z.number().int().positive()]).refine(([from, to]) => from <= to);
export const controlMessage = z.discriminatedUnion("control", [
  z.object({ control: z.literal("heartbeat"), source: z.enum(SOURCES), seq: z.number().int().nonnegative() }),
  z.object({ control: z.literal("resend"), inbox: z.enum(INBOXES), ranges: z.array(seqRange).min(1).max(100) }),
]);
export type ControlMessage = z.infer<typeof controlMessage>;

/** Builds a valid envelope; throws if `data` breaks the contract (a bug of ours, not input). */
export function createEvent<T extends EventType>(
  type: T,
  source: Source,
  data: z.input<(typeof eventData)[T]>,
  version: number,
  now = new Date(),
): EventOf<T> {
  return eventEnvelope.parse({
    id: crypto.randomUUID(),
    type,
    version,
    occurredAt: now.toISOString(),
    source,
    data,
  }) as EventOf<T>;
}
