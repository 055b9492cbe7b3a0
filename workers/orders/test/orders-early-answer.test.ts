import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { countingD1, isRelay } from "../../shared/test/counting-d1";
import { orders } from "../../../schema/tables/orders";
import { revokedSessions } from "../../../schema/tables/replicas";
import { database, MAX_UNPAID_HOLDS } from "../src/db";
import { ORDERS_PER_MINUTE } from "../src/order-limit";
import { cancelOrder, expectError, listed, newUser, orderOf, placeOrder, recordingEnv, sale, vinylOf, type OrderJson, type User } from "./client";

/**
 * An environment whose orders database records every round trip. `calls` leaves out the
 * shared session reader's look-up of revoked sessions, made once by every signed-in request.
 */
function counted() {
  const recording = recordingEnv();
  const counting = countingD1(env.ORDERS_DB);
  return {
    env: { ...recording.env, ORDERS_DB: counting.db },
    get calls() {
      return counting.requestCalls();
    },
    /** Every call but the relay's: the session's own lookup included. */
    get all() {
      return counting.calls.filter((c) => !isRelay(c));
    },
    published: recording.published,
  };
}

/** Orders `buyer` made in the past, `agesMs` ago each, long since cancelled: rows only, no record held. */
async function pastOrders(buyer: User, agesMs: readonly number[]) {
  const now = Date.now();
  const db = database(env);
  // A statement a row: D1 binds at most 100 parameters per statement.
  const [first, ...rest] = agesMs.map((age) => {
    const at = new Date(now - age).toISOString();
    return db.insert(orders).values({
      id: crypto.randomUUID(),
      userId: buyer.id,
      vinylId: crypto.randomUUID(),
      vinylTitle: "Earlier order",
      priceCents: 1000,
      currency: "usd",
      status: "cancelled" as const,
      cancelReason: "buyer" as const,
      expiresAt: at,
      version: 1,
      createdAt: at,
      updatedAt: at,
      sellerId: crypto.randomUUID(),
    });
  });
  await db.batch([first!, ...rest]);
}

/** `count` ages of a few seconds, 0.1 s apart. */
const secondsAgo = (count: number) => Array.from({ length: count }, (_, i) => 1_000 + i * 100);

const writes = (calls: ReturnType<typeof counted>["calls"]) =>
  calls.flatMap((c) => c.statements).filter((s) => /^\s*(insert|update|delete)\b/i.test(s.sql));

describe("an attempt that one read can answer", () => {
  it("loses to a record held by someone else with 409 after one read-only round trip, staging nothing", async () => {
    const { vinyl } = await sale();
    await orderOf(await newUser(), vinyl.id);
    const loser = counted();
    await expectError(await placeOrder(await newUser(), vinyl.id, loser.env), 409, "Vinyl is not available");
    expect(loser.calls).toHaveLength(1);
    expect(writes(loser.calls)).toEqual([]);
    expect(loser.published()).toEqual([]);
  });

  it("refuses an unknown record with 404 after one read-only round trip", async () => {
    const attempt = counted();
    await expectError(await placeOrder(await newUser(), crypto.randomUUID(), attempt.env), 404, "Vinyl not found");
    expect(attempt.calls).toHaveLength(1);
    expect(writes(attempt.calls)).toEqual([]);
  });

  it("refuses one's own record with 403 after one read-only round trip", async () => {
    const { seller, vinyl } = await sale();
    const attempt = counted();
    await expectError(await placeOrder(seller, vinyl.id, attempt.env), 403, "You cannot buy your own vinyl");
    expect(attempt.calls).toHaveLength(1);
    expect(writes(attempt.calls)).toEqual([]);
  });

  it("answers the caller's own live order with 200 after one read-only round trip", async () => {
    const { buyer, vinyl } = await sale();
    const first = await orderOf(buyer, vinyl.id);
    const again = counted();
    const res = await placeOrder(buyer, vinyl.id, again.env);
    expect(res.status).toBe(200);
    expect(((await res.json()) as OrderJson).id).toBe(first.id);
    expect(writes(again.calls)).toEqual([]);
  });

  it("sends an attempt at a free record on to the ordering batch, which decides the race", async () => {
    const { buyer, vinyl } = await sale();
    const attempt = counted();
    const res = await placeOrder(buyer, vinyl.id, attempt.env);
    expect(res.status).toBe(201);
    const order = (await res.json()) as OrderJson;
    // The early read (with the session's revocation lookup) and the ordering batch, whose
    // last statements read the answer: no third round trip, no separate session check.
    expect(attempt.all).toHaveLength(2);
    expect(attempt.all[0]!.statements[0]!.sql).toMatch(/from "revoked_sessions"/);
    expect(writes(attempt.calls).length).toBeGreaterThan(0);
    expect(attempt.published(order.id).map((e) => e.type)).toEqual(["order_created"]);
  });

  it("refuses a session ended early with 401 in that same round trip, before anything is written", async () => {
    const { buyer, vinyl } = await sale();
    await database(env).insert(revokedSessions).values({ sessionId: buyer.sessionId, userId: buyer.id, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    const attempt = counted();
    await expectError(await placeOrder(buyer, vinyl.id, attempt.env), 401, "You must be signed in");
    expect(attempt.all).toHaveLength(1);
    expect(writes(attempt.all)).toEqual([]);
    expect(attempt.published()).toEqual([]);
    // Nor with a malformed record id, which needs no read of the record.
    await expectError(await placeOrder(buyer, "not-an-id"), 401, "You must be signed in");
  });

  it(`refuses a buyer holding ${MAX_UNPAID_HOLDS} unpaid records with 409 after one read-only round trip`, async () => {
    const seller = await newUser();
    const buyer = await newUser();
    for (let i = 0; i < MAX_UNPAID_HOLDS; i++) await orderOf(buyer, (await listed(vinylOf(seller))).id);
    const next = await listed(vinylOf(seller));
    const attempt = counted();
    await expectError(await placeOrder(buyer, next.id, attempt.env), 409, `You already hold ${MAX_UNPAID_HOLDS} records: pay for one or cancel it first`);
    expect(attempt.calls).toHaveLength(1);
    expect(writes(attempt.calls)).toEqual([]);
    expect(attempt.published()).toEqual([]);
  });

  it(`refuses a buyer who created ${ORDERS_PER_MINUTE} orders in the last minute with 429 after one read-only round trip, until the oldest is a minute old`, async () => {
    const { buyer, vinyl } = await sale();
    // The oldest 50 s ago, so it leaves the window in 10 s; one more a minute and more ago counts for nothing.
    await pastOrders(buyer, [50_000, ...secondsAgo(ORDERS_PER_MINUTE - 1), 61_000]);
    const attempt = counted();
    const res = await placeOrder(buyer, vinyl.id, attempt.env);
    await expectError(res, 429, "Too many orders. Try again in a minute.");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(9);
    expect(Number(res.headers.get("retry-after"))).toBeLessThanOrEqual(10);
    expect(attempt.calls).toHaveLength(1);
    expect(writes(attempt.calls)).toEqual([]);
    expect(attempt.published()).toEqual([]);
  });

  it(`lets a buyer order again once fewer than ${ORDERS_PER_MINUTE} of their orders are under a minute old`, async () => {
    const { buyer, vinyl } = await sale();
    await pastOrders(buyer, [61_000, ...secondsAgo(ORDERS_PER_MINUTE - 1)]);
    expect((await placeOrder(buyer, vinyl.id)).status).toBe(201);
  });

  it("lets a record released by its holder be ordered again: the read sees no live order", async () => {
    const { buyer, vinyl } = await sale();
    const held = await orderOf(buyer, vinyl.id);
    expect((await cancelOrder(buyer, held.id)).status).toBe(204);
    expect((await placeOrder(await newUser(), vinyl.id)).status).toBe(201);
  });
});
