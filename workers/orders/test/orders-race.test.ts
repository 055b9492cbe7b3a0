import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { orders } from "../../../schema/tables/orders";
import { LIVE } from "../src/db";
import { ORDERS_PER_MINUTE } from "../src/order-limit";
import { db, newUser, placeOrder, recordingEnv, sale, type ErrorBody, type OrderJson, type User } from "./client";

const BUYERS = 50;

const liveOrders = (vinylId: string) => db.select().from(orders).where(and(eq(orders.vinylId, vinylId), LIVE));

/** Fifty different buyers press "buy" on one record at the same moment. */
async function race(vinylId: string, buyers: User[], testEnv?: Env) {
  const responses = await Promise.all(buyers.map((buyer) => placeOrder(buyer, vinylId, testEnv)));
  return Promise.all(responses.map(async (res) => ({ status: res.status, body: await res.json<OrderJson | ErrorBody>() })));
}

describe("fifty buyers racing for one record", () => {
  it("let exactly one win with 201; the other 49 get 409 and one live order exists", async () => {
    const { vinyl } = await sale();
    const buyers = await Promise.all(Array.from({ length: BUYERS }, () => newUser()));
    const answers = await race(vinyl.id, buyers);
    const winners = answers.filter((a) => a.status === 201);
    expect(winners).toHaveLength(1);
    const losers = answers.filter((a) => a.status === 409);
    expect(losers).toHaveLength(BUYERS - 1);
    for (const loser of losers) expect(loser.body).toEqual({ errors: [{ message: "Vinyl is not available" }] });
    const live = await liveOrders(vinyl.id);
    expect(live).toHaveLength(1);
    expect(live[0]!.id).toBe((winners[0]!.body as OrderJson).id);
    // Losers leave no trace at all, cancelled or otherwise.
    const [count] = await db.select({ n: sql<number>`count(*)` }).from(orders).where(eq(orders.vinylId, vinyl.id));
    expect(count).toEqual({ n: 1 });
  });

  it("publish exactly one order_created, the winner's", async () => {
    const { vinyl } = await sale();
    const buyers = await Promise.all(Array.from({ length: BUYERS }, () => newUser()));
    const recording = recordingEnv();
    const answers = await race(vinyl.id, buyers, recording.env);
    const winner = answers.find((a) => a.status === 201)!.body as OrderJson;
    expect(recording.published().map((e) => [e.type, (e.data as { id: string }).id])).toEqual([["order_created", winner.id]]);
  });

  // Two hundred orders at once, each also counted against its buyer's order budget: slow on a busy machine.
  it("end the same way for each of several records raced at once", { timeout: 20_000 }, async () => {
    const sales = await Promise.all(Array.from({ length: 4 }, () => sale()));
    const buyers = await Promise.all(Array.from({ length: BUYERS }, () => newUser()));
    const results = await Promise.all(sales.map(({ vinyl }) => race(vinyl.id, buyers)));
    for (const [i, answers] of results.entries()) {
      expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
      expect(answers.filter((a) => a.status === 409)).toHaveLength(BUYERS - 1);
      expect(await liveOrders(sales[i]!.vinyl.id)).toHaveLength(1);
    }
  });

  // As many presses as one buyer may make in a minute (past that: 429, orders-create.test.ts).
  it("let one buyer pressing 30 times at once get one order: one 201, then 200s with that same order", async () => {
    const { buyer, vinyl } = await sale();
    const answers = await race(vinyl.id, Array.from({ length: ORDERS_PER_MINUTE }, () => buyer));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(ORDERS_PER_MINUTE - 1);
    const ids = new Set(answers.map((a) => (a.body as OrderJson).id));
    expect(ids.size).toBe(1);
    expect(await liveOrders(vinyl.id)).toHaveLength(1);
  });
});
