import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { countingD1, isRelay } from "../../shared/test/counting-d1";
import { revokedSessions } from "../../../schema/tables/replicas";
import { database } from "../src/db";
import { cancelOrder, expectError, newUser, orderOf, placeOrder, recordingEnv, sale, type OrderJson } from "./client";

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

  it("lets a record released by its holder be ordered again: the read sees no live order", async () => {
    const { buyer, vinyl } = await sale();
    const held = await orderOf(buyer, vinyl.id);
    expect((await cancelOrder(buyer, held.id)).status).toBe(204);
    expect((await placeOrder(await newUser(), vinyl.id)).status).toBe(201);
  });
});
