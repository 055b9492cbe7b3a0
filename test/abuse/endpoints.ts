import { COUNTRIES, GENRES, MEDIA_GRADES, SLEEVE_GRADES } from "../../schema/events";
import { FEEDBACK_RATINGS } from "../../schema/vocabulary";
import {
  OMIT,
  FEEDBACK_QUERIES,
  LIST_QUERIES,
  MINE_QUERIES,
  bodyCases,
  extraFieldCases,
  malformedSegments,
  mutationsOf,
  randomJson,
  serialise,
  type FieldSpec,
  type Json,
  type Value,
  type Verdict,
} from "./catalogue";
import type { Sent } from "./http";
import type { Random } from "./random";
import { webhookCases } from "./webhooks";
import { UNSEEN_IMAGE, LISTING, type World } from "./world";

/**
 * The endpoints under attack, one line each: who calls, a body the endpoint refuses for one
 * reason only (its guard), and which families of the catalogue apply. Adding an endpoint is
 * adding a line.
 */

export type Actor = "anon" | "seller" | "buyer" | "stranger" | "leaver" | "guesser";

export type Family =
  /** Each field of `body` mutated in turn: invalid values (400), huge ones (413), odd ones (the guard). */
  | "fields"
  /** Like `fields`, only the odd values: for a second guard that binds them deeper (a 404 after the database). */
  | "odd fields"
  /** The body as a whole: malformed JSON, not an object, wrong content types, empty, over the limit. */
  | "body"
  /** Unknown and forbidden fields added to `body`. */
  | "extras"
  /** Seeded random JSON values in random fields. */
  | "random"
  /** The path's last segment made a malformed id: unknown, 404. */
  | "ids"
  /** The path's last segment, a username, made malformed (unknown, 404) or upper-cased (the same account). */
  | "usernames"
  /** Bodies an endpoint that reads none must ignore (its guard), unless over the body limit (413). */
  | "ignored body"
  /** Signed out: 401 whatever is sent. */
  | "anonymous"
  /** Session cookies that are not sessions: simply signed out (currentUser null). */
  | "bad sessions"
  | "list queries"
  | "mine queries"
  /** A seller's feedback: paging queries, for a seller nobody is. */
  | "feedback queries"
  | "uploads"
  /** Stripe webhooks whose signature is missing, malformed, wrong, stale or over another body: 400. */
  | "webhooks";

export type Line = {
  /** The contract's row (shared/API.md): method and path. */
  route: string;
  /** The path sent; `{name}` is a value of the world: `{listing}`, `{ordered}`, `{order}`, `{unknown}`. */
  path?: string;
  as: Actor;
  /** Every status the contract allows for the route, with the common 413 and 415 where a body is read. */
  statuses: number[];
  /** A body the route refuses only with `guard`; values may name the world (`{seller.email}`). */
  body?: Record<string, Json>;
  guard?: number[];
  fields?: Record<string, FieldSpec>;
  /** The field `guard` rests on: only made invalid, never odd or missing. */
  guardField?: string;
  /** Which path segment is the id the `ids` family spoils, counted from the end (0, the last, unless given). */
  idFromEnd?: number;
  /** The service's body limit for this route, in bytes. */
  limit?: number;
  families: Family[];
};

const KIB64 = 64 * 1024;
/** catalog's app-wide limit: a 5 MiB photo plus its multipart framing. */
const CATALOG_LIMIT = 5 * 1024 * 1024 + KIB64;

const EMAIL: FieldSpec = { kind: "email" };
const ID: FieldSpec = { kind: "id" };
const VINYL_FIELDS: Record<string, FieldSpec> = {
  title: { kind: "text", max: 200, required: true },
  price: { kind: "price" },
  genre: { kind: "enum", values: GENRES, required: true, foreign: ["Hip-Hop", "R&B"] },
  artist: { kind: "text", max: 200 },
  description: { kind: "text", max: 4000 },
  imageUrl: { kind: "image" },
  mediaCondition: { kind: "enum", values: MEDIA_GRADES, foreign: ["GENERIC", "NO_COVER"] },
  sleeveCondition: { kind: "enum", values: SLEEVE_GRADES, foreign: ["Mint"] },
  format: { kind: "text", max: 100 },
  year: { kind: "year" },
  label: { kind: "text", max: 200 },
  shipsFrom: { kind: "country" },
  shippingDomestic: { kind: "shipping" },
  shippingInternational: { kind: "shipping", nullable: true },
};
const LISTING_UNSEEN_PHOTO = { ...LISTING, imageUrl: UNSEEN_IMAGE };
const USERNAME: FieldSpec = { kind: "username" };
const PROFILE_FIELDS: Record<string, FieldSpec> = {
  displayName: { kind: "text", max: 50 },
  country: { kind: "enum", values: COUNTRIES, foreign: ["UK", "EU", "XX"] },
  bio: { kind: "text", max: 500 },
};

/** What a want may be made of (`POST /api/wants`). */
const WANT_FIELDS: Record<string, FieldSpec> = {
  q: { kind: "text", max: 200 },
  artist: { kind: "text", max: 200 },
  genre: { kind: "enum", values: GENRES, foreign: ["Hip-Hop", "R&B"] },
  condition: { kind: "enum", values: MEDIA_GRADES, foreign: ["GENERIC", "NO_COVER"] },
  maxPrice: { kind: "price" },
};
/** Words without a letter or digit are refused (400 on `q`) once every field is valid, so no mutation saves a want. */
const WANT_REFUSED = { q: "!!! ???", artist: "The Testers", genre: "Jazz", condition: "VG+", maxPrice: 30 };

const SIGNUP = [201, 400, 409, 413, 415, 429];
const EDIT_PROFILE = [200, 400, 401, 413, 415];
const CHANGE_PASSWORD = [200, 400, 401, 413, 415, 429];
const SIGNIN = [200, 400, 413, 415, 429];
const LIST_VINYLS = [200, 400];
const CREATE_VINYL = [201, 400, 401, 413, 415];
const EDIT_VINYL = [200, 400, 401, 403, 404, 409, 413, 415];
const WITHDRAW_VINYL = [204, 401, 403, 404, 409, 413];
const UPLOAD = [201, 400, 401, 413, 415];
const PLACE_ORDER = [200, 201, 400, 401, 403, 404, 409, 413, 415];
const READ_ORDER = [200, 401, 403, 404];
const CANCEL_ORDER = [204, 401, 403, 404, 409, 413];
const CHECKOUT = [201, 400, 401, 403, 404, 409, 413, 415];
const SHIPPING_ADDRESS = [200, 400, 401, 403, 404, 409, 413, 415];
const SHIPMENT = [200, 400, 401, 403, 404, 409, 413, 415];
const DELIVERY = [200, 401, 403, 404, 409, 413];
const FEEDBACK = [201, 400, 401, 403, 404, 409, 413, 415];
const REPLY = [200, 400, 401, 403, 404, 409, 413, 415];
const SELLER_FEEDBACK = [200, 400, 404];

const ADDRESS = { name: "Abuse Probe", line1: "1 Test Street", line2: "Flat 2", city: "Testville", region: "TS", postalCode: "12345", country: "US" };
const ADDRESS_FIELDS: Record<string, FieldSpec> = {
  name: { kind: "text", max: 100, required: true },
  line1: { kind: "text", max: 200, required: true },
  line2: { kind: "text", max: 200 },
  city: { kind: "text", max: 100, required: true },
  region: { kind: "text", max: 100 },
  postalCode: { kind: "text", max: 20, required: true },
  country: { kind: "enum", values: ["US", ...COUNTRIES.filter((c) => c !== "US")], required: true, foreign: ["XX", "UK", "USA", "Germany"] },
};
const SHIPMENT_BODY = { carrier: "Abuse Post", trackingNumber: "AB123456789" };
const SHIPMENT_FIELDS: Record<string, FieldSpec> = { carrier: { kind: "text", max: 100, required: true }, trackingNumber: { kind: "text", max: 100, required: true } };
const FEEDBACK_BODY = { rating: "positive", comment: "Nobody should be able to leave this" };
const FEEDBACK_FIELDS: Record<string, FieldSpec> = {
  rating: { kind: "enum", values: FEEDBACK_RATINGS, required: true, foreign: ["excellent", "Positive", "+1"] },
  comment: { kind: "text", max: 500 },
};
const CONFIRM_PAYMENT = [200, 201, 400, 401, 402, 403, 404, 409, 413, 415];
const WEBHOOK = [200, 400, 413];
const SAVE_WANT = [200, 201, 400, 401, 409, 413, 415];
const DELETE_WANT = [204, 401, 403, 404, 413];
const RESET_REQUEST = [202, 400, 413, 415, 429];
const RESET_CONFIRM = [200, 400, 413, 415];
/** Shaped like a reset link's token (43 base64url characters), but never issued. */
const BOGUS_RESET_TOKEN = "NotARealResetToken_0123456789abcdefghijklmn";

export const LINES: Line[] = [
  // Accounts
  { route: "POST /api/users/signup", as: "anon", statuses: SIGNUP, body: { email: "{seller.email}", password: "needle-drop-42" }, guard: [409, 429], guardField: "email", fields: { email: EMAIL, password: { kind: "password", min: 8, max: 128 } }, limit: KIB64, families: ["fields", "body", "extras", "random"] },
  { route: "POST /api/users/signin", as: "anon", statuses: SIGNIN, body: { email: "{decoy}", password: "not-the-password" }, guard: [400, 429], fields: { email: EMAIL, password: { kind: "password", min: 1, max: 128 } }, limit: KIB64, families: ["fields", "body", "extras", "random"] },
  { route: "POST /api/users/signout", as: "leaver", statuses: [200, 413], body: {}, guard: [200], limit: KIB64, families: ["ignored body"] },
  { route: "GET /api/users/currentuser", as: "anon", statuses: [200], families: ["bad sessions"] },
  // Records
  { route: "GET /api/vinyls", as: "anon", statuses: LIST_VINYLS, families: ["list queries"] },
  { route: "GET /api/vinyls/mine", as: "seller", statuses: [200, 400, 401], families: ["mine queries"] },
  { route: "GET /api/vinyls/mine", as: "anon", statuses: [200, 400, 401], families: ["anonymous"] },
  { route: "GET /api/vinyls/:id", path: "/api/vinyls/{listing}", as: "anon", statuses: [200, 404], families: ["ids"] },
  { route: "POST /api/vinyls", as: "seller", statuses: CREATE_VINYL, body: LISTING_UNSEEN_PHOTO, guard: [400], guardField: "imageUrl", fields: VINYL_FIELDS, limit: KIB64, families: ["fields", "body", "extras", "random"] },
  { route: "POST /api/vinyls", as: "anon", statuses: CREATE_VINYL, body: LISTING, families: ["anonymous"] },
  { route: "PUT /api/vinyls/:id", path: "/api/vinyls/{listing}", as: "seller", statuses: EDIT_VINYL, body: LISTING_UNSEEN_PHOTO, guard: [400], guardField: "imageUrl", fields: VINYL_FIELDS, limit: KIB64, families: ["fields", "body", "extras", "random"] },
  { route: "PUT /api/vinyls/:id", path: "/api/vinyls/{unknown}", as: "seller", statuses: EDIT_VINYL, body: LISTING, guard: [404], fields: VINYL_FIELDS, limit: KIB64, families: ["odd fields", "extras", "random"] },
  { route: "PUT /api/vinyls/:id", path: "/api/vinyls/{listing}", as: "buyer", statuses: EDIT_VINYL, body: LISTING, guard: [403], fields: VINYL_FIELDS, limit: KIB64, families: ["odd fields", "extras"] },
  { route: "PUT /api/vinyls/:id", path: "/api/vinyls/{listing}", as: "seller", statuses: EDIT_VINYL, body: { title: "Renamed" }, families: ["ids"] },
  { route: "PUT /api/vinyls/:id", path: "/api/vinyls/{listing}", as: "anon", statuses: EDIT_VINYL, body: LISTING, families: ["anonymous"] },
  { route: "DELETE /api/vinyls/:id", path: "/api/vinyls/{listing}", as: "seller", statuses: WITHDRAW_VINYL, families: ["ids"] },
  { route: "DELETE /api/vinyls/:id", path: "/api/vinyls/{listing}", as: "buyer", statuses: WITHDRAW_VINYL, body: {}, guard: [403], limit: CATALOG_LIMIT, families: ["ignored body"] },
  { route: "DELETE /api/vinyls/:id", path: "/api/vinyls/{ordered}", as: "stranger", statuses: WITHDRAW_VINYL, body: {}, guard: [403], limit: CATALOG_LIMIT, families: ["ignored body"] },
  { route: "DELETE /api/vinyls/:id", path: "/api/vinyls/{listing}", as: "anon", statuses: WITHDRAW_VINYL, families: ["anonymous"] },
  { route: "POST /api/vinyls/images", as: "seller", statuses: UPLOAD, families: ["uploads"] },
  { route: "POST /api/vinyls/images", as: "anon", statuses: UPLOAD, families: ["anonymous"] },
  // Orders
  { route: "POST /api/orders", as: "buyer", statuses: PLACE_ORDER, body: { vinylId: "{unknown}" }, guard: [404], fields: { vinylId: ID }, limit: KIB64, families: ["fields", "body", "extras", "random"] },
  { route: "POST /api/orders", as: "seller", statuses: PLACE_ORDER, body: { vinylId: "{listing}" }, guard: [403], fields: { vinylId: ID }, limit: KIB64, families: ["fields", "extras"] },
  { route: "POST /api/orders", as: "anon", statuses: PLACE_ORDER, body: { vinylId: "{listing}" }, families: ["anonymous"] },
  { route: "GET /api/orders", as: "anon", statuses: [200, 401], families: ["anonymous"] },
  { route: "GET /api/orders/:id", path: "/api/orders/{order}", as: "buyer", statuses: READ_ORDER, families: ["ids"] },
  { route: "GET /api/orders/:id", path: "/api/orders/{order}", as: "anon", statuses: READ_ORDER, families: ["anonymous"] },
  { route: "DELETE /api/orders/:id", path: "/api/orders/{order}", as: "buyer", statuses: CANCEL_ORDER, families: ["ids"] },
  { route: "DELETE /api/orders/:id", path: "/api/orders/{order}", as: "stranger", statuses: CANCEL_ORDER, body: {}, guard: [403], limit: KIB64, families: ["ignored body"] },
  { route: "DELETE /api/orders/:id", path: "/api/orders/{order}", as: "anon", statuses: CANCEL_ORDER, families: ["anonymous"] },
  // Payments: the world's order is cancelled, so paying for it is refused last (409), after every other check.
  { route: "POST /api/payments/checkout", as: "buyer", statuses: CHECKOUT, body: { orderId: "{order}" }, guard: [409], fields: { orderId: ID }, limit: KIB64, families: ["fields", "body", "extras", "random"] },
  { route: "POST /api/payments/checkout", as: "stranger", statuses: CHECKOUT, body: { orderId: "{order}" }, guard: [403], fields: { orderId: ID }, limit: KIB64, families: ["odd fields", "extras"] },
  { route: "POST /api/payments/checkout", as: "anon", statuses: CHECKOUT, body: { orderId: "{order}" }, families: ["anonymous"] },
  { route: "POST /api/payments", as: "buyer", statuses: CONFIRM_PAYMENT, body: { orderId: "{order}" }, guard: [409], fields: { orderId: ID }, limit: KIB64, families: ["fields", "body", "extras", "random"] },
  { route: "POST /api/payments", as: "stranger", statuses: CONFIRM_PAYMENT, body: { orderId: "{order}" }, guard: [403], fields: { orderId: ID }, limit: KIB64, families: ["odd fields", "extras"] },
  { route: "POST /api/payments", as: "anon", statuses: CONFIRM_PAYMENT, body: { orderId: "{order}" }, families: ["anonymous"] },
  { route: "POST /api/payments/webhook", as: "anon", statuses: WEBHOOK, limit: KIB64, families: ["webhooks"] },
  // Usernames, profiles, passwords and sellers: after the others, so each earlier line keeps its seed.
  { route: "POST /api/users/signup", as: "anon", statuses: SIGNUP, body: { email: "{decoy}", password: "needle-drop-42", username: "{seller.username}" }, guard: [409], guardField: "username", fields: { username: USERNAME }, limit: KIB64, families: ["fields"] },
  // An unknown country is the guard: nothing else about the profile may be changed by these.
  { route: "PATCH /api/users/currentuser", as: "seller", statuses: EDIT_PROFILE, body: { displayName: "Abuse probe", country: "ZZ", bio: "A profile nobody should be able to change" }, guard: [400], guardField: "country", fields: PROFILE_FIELDS, limit: KIB64, families: ["fields", "body", "extras", "random"] },
  { route: "PATCH /api/users/currentuser", as: "anon", statuses: EDIT_PROFILE, body: { displayName: "Nobody" }, families: ["anonymous"] },
  // A wrong current password is the guard; after ten of them the account's email is throttled (429).
  { route: "POST /api/users/currentuser/password", as: "guesser", statuses: CHANGE_PASSWORD, body: { currentPassword: "not-the-password", newPassword: "needle-drop-43" }, guard: [400, 429], guardField: "currentPassword", fields: { currentPassword: { kind: "password", min: 1, max: 128 }, newPassword: { kind: "password", min: 8, max: 128 } }, limit: KIB64, families: ["fields", "body", "extras", "random"] },
  { route: "POST /api/users/currentuser/password", as: "anon", statuses: CHANGE_PASSWORD, body: { currentPassword: "needle-drop-42", newPassword: "needle-drop-43" }, families: ["anonymous"] },
  // Sellers
  { route: "GET /api/sellers/:username", path: "/api/sellers/{seller.username}", as: "anon", statuses: [200, 404], families: ["usernames"] },
  // After the sale: the world's order is cancelled, so each step is refused last (409) for its
  // own party, after every other check, and 403 for everyone else.
  { route: "PUT /api/orders/:id/shipping-address", path: "/api/orders/{order}/shipping-address", as: "buyer", statuses: SHIPPING_ADDRESS, body: ADDRESS, guard: [409], fields: ADDRESS_FIELDS, limit: KIB64, idFromEnd: 1, families: ["fields", "body", "extras", "random", "ids"] },
  { route: "PUT /api/orders/:id/shipping-address", path: "/api/orders/{order}/shipping-address", as: "stranger", statuses: SHIPPING_ADDRESS, body: ADDRESS, guard: [403], fields: ADDRESS_FIELDS, limit: KIB64, families: ["odd fields", "extras"] },
  { route: "PUT /api/orders/:id/shipping-address", path: "/api/orders/{order}/shipping-address", as: "seller", statuses: SHIPPING_ADDRESS, body: ADDRESS, guard: [403], fields: ADDRESS_FIELDS, limit: KIB64, families: ["odd fields"] },
  { route: "PUT /api/orders/:id/shipping-address", path: "/api/orders/{order}/shipping-address", as: "anon", statuses: SHIPPING_ADDRESS, body: ADDRESS, families: ["anonymous"] },
  { route: "POST /api/orders/:id/shipment", path: "/api/orders/{order}/shipment", as: "seller", statuses: SHIPMENT, body: SHIPMENT_BODY, guard: [409], fields: SHIPMENT_FIELDS, limit: KIB64, idFromEnd: 1, families: ["fields", "body", "extras", "random", "ids"] },
  { route: "POST /api/orders/:id/shipment", path: "/api/orders/{order}/shipment", as: "buyer", statuses: SHIPMENT, body: SHIPMENT_BODY, guard: [403], fields: SHIPMENT_FIELDS, limit: KIB64, families: ["odd fields", "extras"] },
  { route: "POST /api/orders/:id/shipment", path: "/api/orders/{order}/shipment", as: "stranger", statuses: SHIPMENT, body: SHIPMENT_BODY, guard: [403], fields: SHIPMENT_FIELDS, limit: KIB64, families: ["odd fields"] },
  { route: "POST /api/orders/:id/shipment", path: "/api/orders/{order}/shipment", as: "anon", statuses: SHIPMENT, body: SHIPMENT_BODY, families: ["anonymous"] },
  { route: "POST /api/orders/:id/delivery", path: "/api/orders/{order}/delivery", as: "buyer", statuses: DELIVERY, body: {}, guard: [409], limit: KIB64, idFromEnd: 1, families: ["ignored body", "ids"] },
  { route: "POST /api/orders/:id/delivery", path: "/api/orders/{order}/delivery", as: "seller", statuses: DELIVERY, body: {}, guard: [403], limit: KIB64, families: ["ignored body"] },
  { route: "POST /api/orders/:id/delivery", path: "/api/orders/{order}/delivery", as: "anon", statuses: DELIVERY, families: ["anonymous"] },
  { route: "POST /api/orders/:id/feedback", path: "/api/orders/{order}/feedback", as: "buyer", statuses: FEEDBACK, body: FEEDBACK_BODY, guard: [409], fields: FEEDBACK_FIELDS, limit: KIB64, idFromEnd: 1, families: ["fields", "body", "extras", "random", "ids"] },
  { route: "POST /api/orders/:id/feedback", path: "/api/orders/{order}/feedback", as: "seller", statuses: FEEDBACK, body: FEEDBACK_BODY, guard: [403], fields: FEEDBACK_FIELDS, limit: KIB64, families: ["odd fields", "extras"] },
  { route: "POST /api/orders/:id/feedback", path: "/api/orders/{order}/feedback", as: "anon", statuses: FEEDBACK, body: FEEDBACK_BODY, families: ["anonymous"] },
  { route: "POST /api/orders/:id/feedback/reply", path: "/api/orders/{order}/feedback/reply", as: "seller", statuses: REPLY, body: { reply: "Nobody should see this" }, guard: [409], fields: { reply: { kind: "text", max: 500, required: true } }, limit: KIB64, idFromEnd: 2, families: ["fields", "body", "extras", "random", "ids"] },
  { route: "POST /api/orders/:id/feedback/reply", path: "/api/orders/{order}/feedback/reply", as: "buyer", statuses: REPLY, body: { reply: "Nobody should see this" }, guard: [403], fields: { reply: { kind: "text", max: 500, required: true } }, limit: KIB64, families: ["odd fields", "extras"] },
  { route: "POST /api/orders/:id/feedback/reply", path: "/api/orders/{order}/feedback/reply", as: "anon", statuses: REPLY, body: { reply: "x" }, families: ["anonymous"] },
  { route: "GET /api/orders/sales", as: "anon", statuses: [200, 401], families: ["anonymous"] },
  { route: "GET /api/sellers/:username/feedback", path: "/api/sellers/{nobody}/feedback", as: "anon", statuses: SELLER_FEEDBACK, idFromEnd: 1, families: ["feedback queries", "ids"] },
  // Wantlist
  { route: "POST /api/wants", as: "stranger", statuses: SAVE_WANT, body: WANT_REFUSED, guard: [400], guardField: "q", fields: WANT_FIELDS, limit: KIB64, families: ["fields", "body", "extras", "random"] },
  { route: "POST /api/wants", as: "anon", statuses: SAVE_WANT, body: { genre: "Jazz" }, families: ["anonymous"] },
  { route: "GET /api/wants", as: "anon", statuses: [200, 401], families: ["anonymous"] },
  { route: "DELETE /api/wants/:id", path: "/api/wants/{want}", as: "seller", statuses: DELETE_WANT, families: ["ids"] },
  { route: "DELETE /api/wants/:id", path: "/api/wants/{want}", as: "stranger", statuses: DELETE_WANT, body: {}, guard: [403], limit: KIB64, families: ["ignored body"] },
  { route: "DELETE /api/wants/:id", path: "/api/wants/{want}", as: "anon", statuses: DELETE_WANT, families: ["anonymous"] },
  // Any body is taken (a mail client's one-click sends a form); a link that is not one of ours is refused whatever comes with it.
  { route: "POST /api/wants/unsubscribe", path: "/api/wants/unsubscribe?token=not-a-token", as: "anon", statuses: [200, 400, 413], body: {}, guard: [400], limit: KIB64, families: ["ignored body"] },
  // Password reset. Asking for a link answers 202 for every well-formed email (an email without
  // an account is the guard: nothing is sent); a link nobody was sent is refused whatever comes with it.
  { route: "POST /api/users/password-reset", as: "anon", statuses: RESET_REQUEST, body: { email: "{decoy}" }, guard: [202, 429], guardField: "email", fields: { email: EMAIL }, limit: KIB64, families: ["fields", "body", "extras", "random"] },
  { route: "POST /api/users/password-reset/confirm", as: "anon", statuses: RESET_CONFIRM, body: { token: BOGUS_RESET_TOKEN, newPassword: "needle-drop-43" }, guard: [400], guardField: "token", fields: { token: { kind: "text", max: 43, required: true }, newPassword: { kind: "password", min: 8, max: 128 } }, limit: KIB64, families: ["fields", "body", "extras", "random"] },
];

/** Routes that do not exist, and methods routes do not take: 404 in the error shape. */
export const UNKNOWN_ROUTES: [string, string][] = [
  ["PATCH", "/api/vinyls/{listing}"],
  ["POST", "/api/vinyls/{listing}"],
  ["PUT", "/api/vinyls"],
  ["DELETE", "/api/vinyls"],
  ["OPTIONS", "/api/vinyls"],
  ["PUT", "/api/orders/{order}"],
  ["PATCH", "/api/orders/{order}"],
  ["DELETE", "/api/orders"],
  ["GET", "/api/users/signup"],
  ["DELETE", "/api/users/signin"],
  ["POST", "/api/users/currentuser"],
  ["PUT", "/api/users/currentuser"],
  ["GET", "/api/users/currentuser/password"],
  ["PATCH", "/api/users/currentuser/password"],
  ["GET", "/api/sellers"],
  ["POST", "/api/sellers/{seller.username}"],
  ["DELETE", "/api/sellers/{seller.username}"],
  ["GET", "/api/sellers/{seller.username}/"],
  ["GET", "/api/sellers/{seller.username}/records"],
  ["GET", "/api/users"],
  ["GET", "/api/vinyls/{listing}/"],
  ["GET", "/api/vinyls//{listing}"],
  ["GET", "/api/orders/{order}/cancel"],
  ["GET", "/api/no-such-thing"],
  ["GET", "/api"],
  ["POST", "/api/admin"],
  ["GET", "/api/payments"],
  ["GET", "/api/payments/checkout"],
  ["GET", "/api/payments/webhook"],
  ["PUT", "/api/payments/checkout"],
  ["GET", "/api/orders/{order}/shipping-address"],
  ["POST", "/api/orders/{order}/shipping-address"],
  ["GET", "/api/orders/{order}/shipment"],
  ["PUT", "/api/orders/{order}/delivery"],
  ["GET", "/api/orders/{order}/feedback"],
  ["DELETE", "/api/orders/{order}/feedback/reply"],
  ["POST", "/api/orders/sales"],
  ["GET", "/api/orders/sales/{order}"],
  ["POST", "/api/sellers/{nobody}/feedback"],
  ["GET", "/api/sellers/{nobody}/feedback/x"],
  ["PUT", "/api/wants"],
  ["DELETE", "/api/wants"],
  ["GET", "/api/wants/{want}"],
  ["PATCH", "/api/wants/{want}"],
  ["PUT", "/api/wants/unsubscribe"],
];

export type Case = { line: Line; name: string; sent: Sent; expect: number[]; /** The exact answer body, where the contract fixes it. */ text?: string };

const lookup = (world: World, name: string): string => {
  const values: Record<string, string> = {
    listing: world.listing.id,
    ordered: world.ordered.id,
    order: world.order.id,
    want: world.want.id,
    unknown: world.unknown,
    nobody: world.nobody,
    decoy: world.decoy,
    "seller.email": world.seller.email,
    "seller.username": world.seller.username,
  };
  const value = values[name];
  if (value === undefined) throw new Error(`no {${name}} in the world`);
  return value;
};

/** `{name}` placeholders filled from the world, in strings and bodies. */
const fill = (world: World, text: string) => text.replace(/\{([\w.]+)\}/g, (_m, name: string) => lookup(world, name));
const fillBody = (world: World, body: Record<string, Json>): Record<string, Value> =>
  Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === "string" ? fill(world, v) : v]));

const cookieOf = (world: World, actor: Actor) => (actor === "anon" ? undefined : world[actor].cookie);

/** The requests a line stands for, each with the statuses it may be answered with. */
export function casesFor(line: Line, world: World, random: Random): Case[] {
  const [method, routePath] = line.route.split(" ") as [string, string];
  const path = fill(world, line.path ?? routePath);
  const cookie = cookieOf(world, line.as);
  const base = line.body ? fillBody(world, line.body) : undefined;
  const guard = line.guard ?? [];
  const cases: Case[] = [];
  const add = (name: string, sent: Partial<Sent> & { contentType?: string | null }, expect: number[]) => {
    const headers: Record<string, string> = { ...sent.headers };
    if (cookie) headers.cookie = cookie;
    if (sent.contentType) headers["content-type"] = sent.contentType;
    else if (sent.contentType === "") headers["content-type"] = "";
    cases.push({ line, name, sent: { method, path: sent.path ?? path, headers, body: sent.body, chunked: sent.chunked }, expect });
  };
  const json = (name: string, body: string, expect: number[]) => add(name, { body, contentType: "application/json" }, expect);
  const expectFor = (verdict: Verdict) => ({ invalid: [400], huge: [413], odd: guard, unknown: [404], same: guard })[verdict];

  for (const family of line.families) {
    switch (family) {
      case "fields":
      case "odd fields":
        for (const [field, spec] of Object.entries(line.fields ?? {})) {
          for (const m of mutationsOf(spec, base![field] as Json)) {
            const onlyOdd = family === "odd fields";
            if (onlyOdd && m.verdict !== "odd") continue;
            // An odd value of the guard's own field could lift the guard (a photo cleared, say); the same value cannot.
            if (field === line.guardField && m.verdict === "odd") continue;
            const body: Record<string, Value> = { ...base };
            if (m.value === OMIT) delete body[field];
            else body[field] = m.value;
            json(`${field}: ${m.name}`, serialise(body), expectFor(m.verdict));
          }
        }
        break;
      case "body":
        for (const c of bodyCases(base!, line.limit!, guard)) add(c.name, { body: c.body, contentType: c.contentType ?? undefined, chunked: c.chunked }, c.expect);
        break;
      case "extras":
        for (const c of extraFieldCases(base!, guard)) json(c.name, c.body, c.expect);
        break;
      case "random":
        for (let i = 0; i < 8; i++) {
          const fields = Object.keys(line.fields ?? {}).filter((f) => f !== line.guardField);
          const field = random.pick(fields);
          const value = randomJson(random);
          json(`random: ${field} = ${JSON.stringify(value).slice(0, 60)}`, serialise({ ...base, [field]: value }), [400, ...guard]);
        }
        break;
      case "ids": {
        const segments = path.split("/");
        const at = segments.length - 1 - (line.idFromEnd ?? 0);
        for (const [name, segment] of malformedSegments(segments[at]!)) {
          const spoilt = segments.with(at, segment).join("/");
          add(`id: ${name}`, { path: spoilt, body: base ? serialise(base) : undefined, contentType: base ? "application/json" : undefined }, [404]);
        }
        break;
      }
      case "ignored body":
        for (const c of bodyCases({}, KIB64, [])) {
          const size = c.body === undefined ? 0 : Buffer.byteLength(c.body);
          // A declared length over the limit is refused up front; a streamed one is refused once read, and a
          // route that never reads its body may never read it (workerd drops a streamed DELETE body).
          const expect = size <= line.limit! ? guard : c.chunked ? [413, ...guard] : [413];
          add(`ignored body: ${c.name}`, { body: c.body, contentType: c.contentType ?? undefined, chunked: c.chunked }, expect);
        }
        break;
      case "usernames": {
        const name = path.split("/").at(-1)!;
        const prefix = path.slice(0, -name.length);
        for (const [what, segment] of malformedSegments(name)) {
          if (what === "upper case") continue;
          add(`username: ${what}`, { path: `${prefix}${segment}` }, [404]);
        }
        // Usernames are compared lower-cased: this is the same account.
        add("username: upper case", { path: `${prefix}${name.toUpperCase()}` }, [200]);
        break;
      }
      case "anonymous": {
        const body = base ? serialise(base) : undefined;
        add("signed out", { body, contentType: body ? "application/json" : undefined }, [401]);
        add("signed out, with an empty session cookie", { body, contentType: body ? "application/json" : undefined, headers: { cookie: "session=" } }, [401]);
        add("signed out, with a session cookie that is not a token", { body, contentType: body ? "application/json" : undefined, headers: { cookie: "session=not.a.token" } }, [401]);
        if (method !== "GET") {
          add("signed out, with malformed JSON", { body: "{", contentType: "application/json" }, [401]);
          add("signed out, with a 1 MB body", { body: `{"pad":"${"x".repeat(1024 * 1024)}"}`, contentType: "application/json" }, [401, 413]);
        }
        break;
      }
      case "bad sessions": {
        const signedOut = '{"currentUser":null}';
        const cookies: [string, string][] = [
          ["an empty session cookie", "session="],
          ["a session cookie of garbage", "session=garbage"],
          ["three empty parts", "session=.."],
          ["a JSON session", `session=${encodeURIComponent('{"id":"x"}')}`],
          ["a right-to-left session", "session=%E2%80%AE"],
          ["8 KB of cookie", `session=${"A".repeat(8192)}`],
          ["the right token under another cookie name", `Session=${world.seller.cookie.slice("session=".length)}`],
          ["the right token as a cookie's value, not the session", `other=${world.seller.cookie}`],
          ["the session's parts split across cookies", world.seller.cookie.split(".").join("; session=")],
        ];
        for (const [name, cookie] of cookies) cases.push({ line, name, sent: { method, path, headers: { cookie } }, expect: [200], text: signedOut });
        cases.push({ line, name: "a query string it does not take", sent: { method, path: `${path}?user=admin&id=${world.seller.id}` }, expect: [200], text: signedOut });
        break;
      }
      case "list queries":
        for (const [name, query, status] of LIST_QUERIES) add(`query: ${name}`, { path: `${path}?${query}` }, [status]);
        break;
      case "mine queries":
        for (const [name, query, status] of MINE_QUERIES) add(`query: ${name}`, { path: `${path}?${query}` }, [status]);
        break;
      case "feedback queries":
        for (const [name, query, status] of FEEDBACK_QUERIES) add(`query: ${name}`, { path: `${path}?${query}` }, [status]);
        break;
      case "uploads":
        for (const c of uploadCases()) add(c.name, { body: c.body, contentType: c.contentType, chunked: c.chunked }, c.expect);
        break;
      case "webhooks":
        for (const c of webhookCases(world)) add(c.name, { body: c.body, contentType: c.contentType, headers: c.headers, chunked: c.chunked }, c.expect);
        break;
    }
  }
  for (const c of cases) {
    const outside = c.expect.filter((s) => !line.statuses.includes(s));
    if (outside.length > 0 || c.expect.length === 0) throw new Error(`${line.route} ${c.name}: expects ${c.expect}, outside its contract ${line.statuses}`);
  }
  return cases;
}

export const unknownRouteCases = (world: World): { name: string; sent: Sent }[] =>
  UNKNOWN_ROUTES.map(([method, path]) => ({
    name: `${method} ${path}`,
    sent: { method, path: fill(world, path), headers: { cookie: world.seller.cookie, "content-type": "application/json" }, body: method === "GET" || method === "OPTIONS" ? undefined : "{}" },
  }));

// ——— Photos ———

const bytes = (...parts: (string | number[] | Uint8Array)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));

/** The smallest valid PNG: 1×1, one transparent pixel. */
export const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

/** Files that are not a JPEG, PNG, WebP or AVIF by their bytes, whatever they claim. */
export const DISGUISED: [string, Buffer][] = [
  ["HTML", bytes("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")],
  ["SVG with a script", bytes('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>')],
  ["JavaScript", bytes("alert(document.cookie);//")],
  ["HTML after whitespace", bytes("\n\n   <html><script>alert(1)</script></html>")],
  ["HTML in UTF-16", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("<html><script>alert(1)</script></html>", "utf16le")])],
  ["a GIF", bytes("GIF89a", [1, 0, 1, 0, 0, 0, 0, 0x3b])],
  ["a PDF", bytes("%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\n")],
  ["a ZIP", bytes([0x50, 0x4b, 0x03, 0x04], "docx-ish")],
  ["an ELF binary", bytes([0x7f], "ELF", [2, 1, 1, 0])],
  ["a BMP", bytes("BM", [0x3a, 0, 0, 0, 0, 0, 0, 0])],
  ["a TIFF", bytes("II*", [0])],
  ["a HEIC", bytes([0, 0, 0, 24], "ftypheic", [0, 0, 0, 0], "mif1heic")],
  ["a WAV in RIFF", bytes("RIFF", [0x24, 0, 0, 0], "WAVEfmt ")],
  ["seven of the eight PNG signature bytes", PNG.subarray(0, 7)],
  ["two of the three JPEG bytes", bytes([0xff, 0xd8])],
  ["one byte", bytes([0x89])],
  ["nothing", Buffer.alloc(0)],
];

export type UploadCase = { name: string; body?: Buffer; contentType?: string; chunked?: boolean; expect: number[] };

const BOUNDARY = "----oscillation-upload";
export function multipartFile(content: Buffer, opts: { field?: string; filename?: string; type?: string } = {}) {
  return Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${opts.field ?? "file"}"; filename="${opts.filename ?? "cover.png"}"\r\nContent-Type: ${opts.type ?? "image/png"}\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}
export const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

function uploadCases(): UploadCase[] {
  const mib = 1024 * 1024;
  const overFive = Buffer.concat([PNG, Buffer.alloc(5 * mib + 1 - PNG.length)]);
  return [
    ...DISGUISED.map(([name, body]) => ({ name: `raw ${name} sent as image/png`, body, contentType: "image/png", expect: [415] })),
    ...DISGUISED.slice(0, 5).map(([name, body]) => ({ name: `${name} renamed cover.png in a form`, body: multipartFile(body), contentType: MULTIPART, expect: [415] })),
    { name: "HTML sent as application/json", body: DISGUISED[0]![1], contentType: "application/json", expect: [415] },
    { name: "HTML with no content type", body: DISGUISED[0]![1], expect: [415] },
    { name: "a form whose file field is text", body: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"\r\n\r\nnot a file\r\n--${BOUNDARY}--\r\n`), contentType: MULTIPART, expect: [400] },
    { name: "a form with the photo under another name", body: multipartFile(PNG, { field: "image" }), contentType: MULTIPART, expect: [400] },
    { name: "a form whose boundary does not match", body: multipartFile(PNG), contentType: "multipart/form-data; boundary=something-else", expect: [400] },
    { name: "a form with no boundary", body: multipartFile(PNG), contentType: "multipart/form-data", expect: [400] },
    { name: "an empty form", body: Buffer.alloc(0), contentType: MULTIPART, expect: [400] },
    { name: "a truncated form", body: multipartFile(PNG).subarray(0, 60), contentType: MULTIPART, expect: [400] },
    { name: "a raw PNG one byte over 5 MiB", body: overFive, contentType: "image/png", expect: [413] },
    { name: "a PNG one byte over 5 MiB in a form", body: multipartFile(overFive), contentType: MULTIPART, expect: [413] },
    { name: "a raw PNG of 6 MiB streamed without a length", body: Buffer.concat([PNG, Buffer.alloc(6 * mib)]), contentType: "image/png", chunked: true, expect: [413] },
    // Over the edge's own limit with a Content-Length: refused by the edge before any service.
    { name: "a raw PNG of 6 MiB with its length", body: Buffer.concat([PNG, Buffer.alloc(6 * mib)]), contentType: "image/png", expect: [413] },
    { name: "a PNG of 6 MiB in a form with its length", body: multipartFile(Buffer.concat([PNG, Buffer.alloc(6 * mib)])), contentType: MULTIPART, expect: [413] },
    { name: "a raw PNG of 12 MiB with its length", body: Buffer.concat([PNG, Buffer.alloc(12 * mib)]), contentType: "image/png", expect: [413] },
  ];
}
