import { expect, vi } from "vitest";
import { api } from "./http";
import { newClientAddress } from "../support/client-address.mjs";

/**
 * The state the abuse suites attack: three accounts, two listings of the seller, and the
 * buyer's order for one of them; read back in full before and after, so a request that
 * changed anything is caught even when it answered as it should.
 */

export type Account = { id: string; email: string; username: string; password: string; cookie: string };

export const PASSWORD = "needle-drop-42";

export async function signUp(prefix: string): Promise<Account> {
  const email = `${prefix}-${crypto.randomUUID()}@example.com`;
  const res = await api("POST", "/api/users/signup", { json: { email, password: PASSWORD }, headers: { "cf-connecting-ip": newClientAddress() } });
  expect(res.status, res.text).toBe(201);
  const cookie = /session=[^;]+/.exec(String(res.headers["set-cookie"] ?? ""))![0];
  const { id, username } = res.json<{ id: string; username: string }>();
  return { id, email, username, password: PASSWORD, cookie };
}

/** Polls until `check` passes (effects that travel over queues take a moment). */
export const eventually = <T>(check: () => Promise<T>, timeout = 20_000) => vi.waitFor(check, { timeout, interval: 100 });

export const LISTING = {
  title: "Abuse probe",
  price: 25,
  genre: "Jazz",
  artist: "The Testers",
  description: "A record nobody should be able to change",
  mediaCondition: "VG+",
  sleeveCondition: "VG",
  format: "LP",
  year: 1970,
  label: "Fuzz Records",
  shipsFrom: "NL",
  shippingDomestic: 6.5,
  shippingInternational: 17.25,
};

/** A well-formed photo URL of this shop whose photo was never uploaded: refused with 400 after every other check. */
export const UNSEEN_IMAGE = `/images/${"0".repeat(64)}.png`;

export type Vinyl = typeof LISTING & { id: string; userId: string; status: string; version: number; orderId: string | null };

export type World = {
  seller: Account;
  buyer: Account;
  stranger: Account;
  /** Signs out (again and again): a session of its own, since signing out ends it everywhere. */
  leaver: Account;
  /** Guesses at its own password to change it: failures count towards its sign-in throttle. */
  guesser: Account;
  /** The seller's listing nobody ordered. */
  listing: Vinyl;
  /** The seller's listing the buyer ordered and cancelled. */
  ordered: Vinyl;
  /** The buyer's (cancelled) order. */
  order: { id: string };
  /** The seller's want. */
  want: { id: string };
  /** A UUID nothing has. */
  unknown: string;
  /** A well-formed username nobody has. */
  nobody: string;
  /** An email without an account, for sign-in attempts. */
  decoy: string;
};

export async function buildWorld(prefix: string): Promise<World> {
  const [seller, buyer, stranger, leaver, guesser] = await Promise.all(
    ["seller", "buyer", "stranger", "leaver", "guesser"].map((role) => signUp(`${prefix}-${role}`)),
  ) as [Account, Account, Account, Account, Account];
  const list = async (title: string) => {
    const res = await api("POST", "/api/vinyls", { cookie: seller.cookie, json: { ...LISTING, title } });
    expect(res.status, res.text).toBe(201);
    return res.json<Vinyl>();
  };
  const listing = await list(`${LISTING.title} ${prefix}`);
  const ordered = await list(`${LISTING.title} ${prefix} (ordered)`);
  // Orders hears of a listing a moment after it is listed.
  const order = await eventually(async () => {
    const res = await api("POST", "/api/orders", { cookie: buyer.cookie, json: { vinylId: ordered.id } });
    expect(res.status).toBe(201);
    return res.json<{ id: string }>();
  });
  expect((await api("DELETE", `/api/orders/${order.id}`, { cookie: buyer.cookie })).status).toBe(204);
  // Settled: catalog reserved the record and released it again (versions 1 and 2).
  const settled = await eventually(async () => {
    const v = (await api("GET", `/api/vinyls/${ordered.id}`)).json<Vinyl>();
    expect(v).toMatchObject({ status: "available", version: 2 });
    return v;
  });
  // So that "your own record" is what refuses the seller's order for it, not "unknown record".
  await eventually(async () => {
    expect((await api("POST", "/api/orders", { cookie: seller.cookie, json: { vinylId: listing.id } })).status).toBe(403);
  });
  const saved = await api("POST", "/api/wants", { cookie: seller.cookie, json: { q: `abuse probe ${prefix}`, genre: "Jazz" } });
  expect(saved.status, saved.text).toBe(201);
  const want = saved.json<{ id: string }>();
  return { seller, buyer, stranger, leaver, guesser, listing, ordered: settled, order, want, unknown: crypto.randomUUID(), nobody: `nobody-${crypto.randomUUID().slice(0, 8)}`, decoy: `${prefix}-nobody-${crypto.randomUUID()}@example.com` };
}

function ownRows(list: { status: number; body: unknown }, sellerId: string) {
  const rows = list.body as { userId: string }[];
  return { status: list.status, body: rows.filter((row) => row.userId === sellerId) };
}

/** Everything the suites must leave as they found it, read through the API. */
export async function snapshot(world: World) {
  const read = async (path: string, cookie?: string) => {
    const res = await api("GET", path, { cookie });
    return { status: res.status, body: res.json() };
  };
  const users = { seller: world.seller, buyer: world.buyer, stranger: world.stranger };
  const out: Record<string, unknown> = {
    listing: await read(`/api/vinyls/${world.listing.id}`),
    ordered: await read(`/api/vinyls/${world.ordered.id}`),
    // Other suites list records on the same system meanwhile, so only this world's rows count.
    "public list": ownRows(await read("/api/vinyls?limit=100"), world.seller.id),
    "the buyer's order": await read(`/api/orders/${world.order.id}`, world.buyer.cookie),
  };
  for (const [name, user] of Object.entries(users)) {
    out[`${name}'s listings`] = await read("/api/vinyls/mine", user.cookie);
    out[`${name}'s orders`] = await read("/api/orders", user.cookie);
    out[`${name}'s sales`] = await read("/api/orders/sales", user.cookie);
    out[`${name} as current user`] = await read("/api/users/currentuser", user.cookie);
    out[`${name}'s wants`] = await read("/api/wants", user.cookie);
  }
  return out;
}

/** Every account still signs in with its password (and no sign-in is throttled). */
export async function expectAccountsWork(world: World) {
  for (const user of [world.seller, world.buyer, world.stranger]) {
    const res = await api("POST", "/api/users/signin", { json: { email: user.email, password: user.password } });
    expect(res.status, `${user.email} signs in: ${res.text}`).toBe(200);
    expect(res.json()).toEqual({ id: user.id, email: user.email, username: user.username });
  }
}
