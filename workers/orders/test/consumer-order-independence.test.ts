import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../../../schema/events";
import { vinyls } from "../../../schema/tables/orders";
import {
  cancelOrder,
  checkoutStarted,
  db,
  deliverEach,
  expirationComplete,
  listed,
  newUser,
  orderOf,
  orderRow,
  paymentCreated,
  paymentRefunded,
  recordingEnv,
  vinylCreated,
  vinylOf,
  vinylUpdated,
  type OrderRef,
  type Vinyl,
} from "./client";

/** Every ordering of `items` (n! of them). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

type Scenario = (order: OrderRef, vinyl: Vinyl) => DomainEvent[];

/**
 * Delivers the scenario's events for a fresh order in every arrival order, one per batch
 * as a queue may, and returns each run's outcome: the order's state and what was published
 * about it (the version a path takes to get there may differ; where it ends may not).
 */
async function outcomes(scenario: Scenario) {
  const seller = await newUser();
  const buyer = await newUser();
  const stamp = new Date().toISOString();
  const probe = scenario(
    {
      id: crypto.randomUUID(), userId: buyer.id, status: "created", cancelReason: null, expiresAt: stamp,
      vinyl: { id: crypto.randomUUID(), title: "probe", price: 1, currency: "USD" }, version: 0, createdAt: stamp,
    },
    vinylOf(seller),
  );
  const runs = [];
  for (const indexes of permutations(probe.map((_, i) => i))) {
    const vinyl = await listed(vinylOf(seller));
    const order = await orderOf(buyer, vinyl.id);
    const events = scenario(order, vinyl);
    const recording = recordingEnv();
    await deliverEach(
      indexes.map((i) => events[i]!),
      recording.env,
    );
    const row = (await orderRow(order.id))!;
    const published = recording.published(order.id);
    // Whatever the path, each event about the order carries a higher version than the last.
    const versions = published.map((e) => e.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    runs.push({
      order: { status: row.status, cancelReason: row.cancelReason, refunded: row.refundedAt !== null },
      published: published.map((e) => `${e.type}:${(e.data as { cancelReason?: string | null }).cancelReason ?? "-"}`).sort(),
    });
  }
  return runs;
}

async function expectSameEverywhere(scenario: Scenario, expected: Awaited<ReturnType<typeof outcomes>>[number]) {
  const runs = await outcomes(scenario);
  expect(runs.length).toBeGreaterThan(1);
  for (const run of runs) expect(run).toEqual(expected);
}

describe("order events in every arrival order, with duplicates", () => {
  it("checkout_started and expiration_complete (each twice) always end expired, announced once", async () => {
    await expectSameEverywhere(
      (order) => {
        const [checkout, expired] = [checkoutStarted(order), expirationComplete(order)];
        return [checkout, expired, checkout, expirationComplete(order, 1000)];
      },
      { order: { status: "cancelled", cancelReason: "expired", refunded: false }, published: ["order_cancelled:expired"] },
    );
  });

  it("checkout_started and payment_created (payment twice) always end complete, announced once", async () => {
    await expectSameEverywhere(
      (order) => {
        const paid = paymentCreated(order);
        return [checkoutStarted(order), paid, paid];
      },
      { order: { status: "complete", cancelReason: null, refunded: false }, published: ["order_completed:-"] },
    );
  });

  it("checkout_started, payment_created and payment_refunded always end complete with the refund recorded", async () => {
    await expectSameEverywhere(
      (order) => [checkoutStarted(order), paymentCreated(order), paymentRefunded(order)],
      { order: { status: "complete", cancelReason: null, refunded: true }, published: ["order_completed:-"] },
    );
  });

  it("checkout_started and the record's withdrawal always end unavailable, announced once", async () => {
    await expectSameEverywhere(
      (order, vinyl) => {
        const withdrawn = vinylUpdated(vinyl, { status: "withdrawn" }).event;
        return [checkoutStarted(order), withdrawn, withdrawn];
      },
      { order: { status: "cancelled", cancelReason: "unavailable", refunded: false }, published: ["order_cancelled:unavailable"] },
    );
  });

  it("a late expiration, a late checkout and a payment for an order the buyer already cancelled change nothing", async () => {
    const buyer = await newUser();
    const seller = await newUser();
    for (const indexes of permutations([0, 1, 2])) {
      const vinyl = await listed(vinylOf(seller));
      const order = await orderOf(buyer, vinyl.id);
      await cancelOrder(buyer, order.id);
      const events = [checkoutStarted(order), expirationComplete(order), paymentCreated(order)];
      const recording = recordingEnv();
      await deliverEach(
        indexes.map((i) => events[i]!),
        recording.env,
      );
      expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "buyer", version: 1 });
      expect(recording.published()).toEqual([]);
    }
  });
});

describe("vinyl events in every arrival order, with duplicates", () => {
  it("leave the replica at the newest version", async () => {
    const seller = await newUser();
    for (const indexes of permutations([0, 1, 2, 3])) {
      const v0 = vinylOf(seller, { title: "v0" });
      const v1 = vinylUpdated(v0, { title: "v1", priceCents: 1000 });
      const v2 = vinylUpdated(v1.vinyl, { title: "v2", priceCents: 2000 });
      const events = [vinylCreated(v0), v1.event, v2.event, v1.event];
      await deliverEach(indexes.map((i) => events[i]!));
      const [row] = await db.select().from(vinyls).where(eq(vinyls.id, v0.id));
      expect(row).toMatchObject({ title: "v2", priceCents: 2000, version: 2, status: "available" });
    }
  });
});
