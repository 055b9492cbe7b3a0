import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { inbox, outbox } from "../../../schema/tables/orders";
import { GRACE_MS } from "../../shared/src/messaging";
import worker from "../src/index";
import { holdGraceMs } from "../src/db";
import { OVERDUE_PER_RUN } from "../src/sweep";
import {
  age,
  cancelOrder,
  checkoutStarted,
  db,
  deliverEach,
  newUser,
  orderOf,
  orderRow,
  outboxAbout,
  paymentCreated,
  placeOrder,
  recordingEnv,
  sale,
  unsentAbout,
  vinylCreated,
  vinylOf,
  type OrderJson,
} from "./client";

/** Runs the minute cron as if it fired at `at`, and waits for the relays it started. */
async function cronAt(at: number, testEnv: Env) {
  const ctx = createExecutionContext();
  await worker.scheduled!(createScheduledController({ cron: "* * * * *", scheduledTime: at }), testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

const newOrder = async () => {
  const { buyer, vinyl } = await sale();
  return { buyer, order: await orderOf(buyer, vinyl.id) };
};
const HOLD_GRACE_MS = holdGraceMs(env);
const overdueAt = (order: OrderJson) => Date.parse(order.expiresAt) + HOLD_GRACE_MS + 1000;

describe("the cron backstop for holds whose alarm never arrived", () => {
  it("cancels created and awaiting_payment orders more than two minutes past expiresAt, as expired, announcing each", async () => {
    const [{ order: created }, { order: awaiting }] = [await newOrder(), await newOrder()];
    await deliverEach([checkoutStarted(awaiting)]);
    const recording = recordingEnv();
    await cronAt(Math.max(overdueAt(created), overdueAt(awaiting)), recording.env);
    expect(await orderRow(created.id)).toMatchObject({ status: "cancelled", cancelReason: "expired", version: 1 });
    expect(await orderRow(awaiting.id)).toMatchObject({ status: "cancelled", cancelReason: "expired", version: 2 });
    const about = (order: OrderJson) => recording.published(order.id).map((e) => [e.type, e.version, (e.data as { cancelReason: string | null }).cancelReason]);
    expect(about(created)).toEqual([["order_cancelled", 1, "expired"]]);
    expect(about(awaiting)).toEqual([["order_cancelled", 2, "expired"]]);
  });

  it("leaves an unpaid order alone while it is less than two minutes past expiresAt", async () => {
    const { order } = await newOrder();
    expect(HOLD_GRACE_MS).toBe(120_000);
    const recording = recordingEnv();
    await cronAt(Date.parse(order.expiresAt) + HOLD_GRACE_MS - 1000, recording.env);
    expect(await orderRow(order.id)).toMatchObject({ status: "created", version: 0 });
    expect(recording.published(order.id)).toEqual([]);
  });

  it("waits HOLD_GRACE_SECONDS past expiresAt instead, where that is set", async () => {
    const { order } = await newOrder();
    const recording = recordingEnv();
    const tenSeconds = { ...recording.env, HOLD_GRACE_SECONDS: "10" };
    await cronAt(Date.parse(order.expiresAt) + 9_000, tenSeconds);
    expect(await orderRow(order.id)).toMatchObject({ status: "created", version: 0 });
    await cronAt(Date.parse(order.expiresAt) + 11_000, tenSeconds);
    expect(await orderRow(order.id)).toMatchObject({ status: "cancelled", cancelReason: "expired", version: 1 });
    expect(recording.published(order.id).map((e) => e.type)).toEqual(["order_cancelled"]);
  });

  it("leaves paid and cancelled orders alone however late it runs", async () => {
    const [{ order: paid }, { buyer, order: cancelled }] = [await newOrder(), await newOrder()];
    await deliverEach([paymentCreated(paid)]);
    await cancelOrder(buyer, cancelled.id);
    const recording = recordingEnv();
    await cronAt(overdueAt(paid) + 86_400_000, recording.env);
    expect(await orderRow(paid.id)).toMatchObject({ status: "complete", cancelReason: null, version: 1 });
    expect(await orderRow(cancelled.id)).toMatchObject({ status: "cancelled", cancelReason: "buyer", version: 1 });
    expect(recording.published(paid.id)).toEqual([]);
    expect(recording.published(cancelled.id)).toEqual([]);
  });

  it("ends a backlog larger than one run's share over the following runs", async () => {
    const backlog: OrderJson[] = [];
    for (let i = 0; i < OVERDUE_PER_RUN + 5; i++) backlog.push((await newOrder()).order);
    const at = overdueAt(backlog.at(-1)!);
    const recording = recordingEnv();
    await cronAt(at, recording.env);
    const statuses = async () => Promise.all(backlog.map(async (o) => (await orderRow(o.id))!.status));
    expect((await statuses()).filter((s) => s === "cancelled").length).toBeGreaterThanOrEqual(OVERDUE_PER_RUN - 2);
    await cronAt(at + 60_000, recording.env);
    expect(new Set(await statuses())).toEqual(new Set(["cancelled"]));
  });
});

describe("the cron outbox sweep", () => {
  it("sends an event whose relay failed once it is old enough, with its number, and marks it sent", async () => {
    const { buyer, vinyl } = await sale();
    const broken = recordingEnv();
    const failing = { sendBatch: () => Promise.reject(new Error("queue unavailable")) } as unknown as Queue;
    const res = await placeOrder(buyer, vinyl.id, { ...broken.env, CATALOG_EVENTS: failing });
    const order = await res.json<OrderJson>();
    // The relay sent the other inboxes' rows; catalog's is left, numbered, unsent.
    expect((await outboxAbout(order.id)).map((r) => [r.destination, r.seq !== null, r.sentAt !== null])).toEqual([
      ["catalog", true, false],
      ["expiration", true, true],
      ["notifications", true, true],
      ["payments", true, true],
    ]);
    const [row] = await unsentAbout(order.id);
    // As if a minute passed: the sweep leaves rows a relay may still be sending.
    await age(order.id, 60_000);
    const recording = recordingEnv();
    await cronAt(Date.now(), recording.env);
    expect(recording.sentTo.catalog.filter((e) => (e.data as { id?: string }).id === order.id)).toEqual([{ ...JSON.parse(row!.body), seq: row!.seq }]);
    expect(recording.sentTo.payments.filter((e) => (e.data as { id?: string }).id === order.id)).toEqual([]);
    expect(await unsentAbout(order.id)).toEqual([]);
    expect(await outboxAbout(order.id)).toHaveLength(4);
  });

  it("tells each inbox it sends to the highest number it has given it", async () => {
    await newOrder();
    const recording = recordingEnv();
    await cronAt(Date.now(), recording.env);
    for (const destination of ["catalog", "payments", "expiration", "notifications"] as const) {
      const [highest] = await db.select({ seq: sql<number>`max(${outbox.seq})` }).from(outbox).where(eq(outbox.destination, destination));
      expect(highest!.seq).toBeGreaterThan(0);
      expect(recording.controlsTo[destination]).toEqual([{ control: "heartbeat", source: "orders", seq: highest!.seq }]);
    }
  });
});

describe("the cron gap check of the orders inbox", () => {
  it("asks catalog to send again a number that never arrived, once a later one has been here a while", async () => {
    const seller = await newUser();
    const [first, third] = [vinylCreated(vinylOf(seller)), vinylCreated(vinylOf(seller))];
    await deliverEach([{ ...first, seq: 1 }, { ...third, seq: 3 }]);
    const recording = recordingEnv();
    const resends = () => recording.controlsTo.catalog.filter((m) => m.control === "resend");
    // Number 2 may still be on its way: queues deliver in any order.
    await cronAt(Date.now(), recording.env);
    expect(resends()).toEqual([]);
    await db.update(inbox).set({ processedAt: sql`${inbox.processedAt} - ${GRACE_MS}` }).where(inArray(inbox.eventId, [first.id, third.id]));
    await cronAt(Date.now(), recording.env);
    expect(resends()).toEqual([{ control: "resend", inbox: "orders", ranges: [[2, 2]] }]);
  });
});
