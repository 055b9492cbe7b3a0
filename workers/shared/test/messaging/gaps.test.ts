import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import type { ControlMessage, DomainEvent } from "../../../../schema/events";
import { commit, GRACE_MS, heartbeat, queuesFrom, requestMissing, RETENTION_MS, stage, type Publisher, type Queues } from "../../src/messaging";
import { inbox, inboxSources } from "./fixture/tables";
import { applied, created, db, inboxHas, outboxRows, record, sourceState } from "./helpers";

const realPublisher = (extra: Partial<Publisher> = {}): Publisher => ({ queues: queuesFrom(env), waitUntil: () => {}, ...extra });

/** Publishes one event through the outbox and waits for its relay (which `lossRate: 1` makes lose it). */
async function publish(event: DomainEvent, lossRate?: number) {
  const ctx = createExecutionContext();
  await commit(db, [stage(db, event)], { queues: queuesFrom(env), waitUntil: (p) => ctx.waitUntil(p), ...(lossRate ? { lossRate } : {}) });
  await waitOnExecutionContext(ctx);
  return (await outboxRows(event.id))[0]!.seq!;
}

/** A queue that only records what is sent to it. */
function recorder() {
  const sent: ControlMessage[] = [];
  const queue = { send: async (body: ControlMessage) => void sent.push(body) } as unknown as Queue;
  return { sent, queue };
}

describe("a message the queue lost", () => {
  it("is asked for once a later one has arrived and the grace period passed, sent again and applied once", async () => {
    const lost = created(crypto.randomUUID(), "lost");
    const later = created(crypto.randomUUID(), "later");
    const lostSeq = await publish(lost, 1);
    const laterSeq = await publish(later);
    expect(laterSeq).toBe(lostSeq + 1);
    await vi.waitFor(async () => expect(await inboxHas(later.id)).toBe(true));
    expect(await record(lost.data.id)).toBeUndefined();

    // Within the grace period a gap may be a message still on its way: nothing is asked.
    expect(await requestMissing(db, realPublisher(), "orders")).toBe(0);
    // After it, the source (catalog, whose inbox this fixture also consumes) is asked and sends it again.
    expect(await requestMissing(db, realPublisher(), "orders", Date.now() + GRACE_MS)).toBe(1);
    await vi.waitFor(async () => expect(await record(lost.data.id)).toMatchObject({ title: "lost" }));
    expect(await applied(lost.id)).toBe(1);

    // Filled: the watermark passes both, and nothing is asked again.
    expect(await requestMissing(db, realPublisher(), "orders", Date.now() + GRACE_MS)).toBe(0);
    expect((await sourceState("catalog"))!.watermark).toBeGreaterThanOrEqual(laterSeq);
  });

  it("is found by the source's heartbeat when it was the last one sent", async () => {
    const last = created(crypto.randomUUID(), "the last one");
    const seq = await publish(last, 1);
    expect(await requestMissing(db, realPublisher(), "orders", Date.now() + GRACE_MS)).toBe(0);
    await heartbeat(db, realPublisher(), "catalog");
    await vi.waitFor(async () => expect((await sourceState("catalog"))!.latestSeq).toBe(seq));
    expect(await requestMissing(db, realPublisher(), "orders", Date.now() + GRACE_MS)).toBe(1);
    await vi.waitFor(async () => expect(await record(last.data.id)).toMatchObject({ title: "the last one" }));
    expect(await applied(last.id)).toBe(1);
  });

  it("is asked for again on every run until it arrives, and applied once however many copies come", async () => {
    const lost = created(crypto.randomUUID(), "asked twice");
    await publish(lost, 1);
    await heartbeat(db, realPublisher(), "catalog");
    const seq = (await outboxRows(lost.id))[0]!.seq!;
    await vi.waitFor(async () => expect((await sourceState("catalog"))!.latestSeq).toBe(seq));
    const asked = recorder();
    const quiet = { ...queuesFrom(env), catalog: asked.queue } satisfies Queues;
    await requestMissing(db, { queues: quiet, waitUntil: () => {} }, "orders", Date.now() + GRACE_MS);
    await requestMissing(db, { queues: quiet, waitUntil: () => {} }, "orders", Date.now() + GRACE_MS);
    expect(asked.sent).toEqual([
      { control: "resend", inbox: "orders", ranges: [[seq, seq]] },
      { control: "resend", inbox: "orders", ranges: [[seq, seq]] },
    ]);
    // Both requests answered: two copies arrive, one applies.
    await env.CATALOG_EVENTS.send(asked.sent[0]!, { contentType: "json" });
    await env.CATALOG_EVENTS.send(asked.sent[1]!, { contentType: "json" });
    await vi.waitFor(async () => expect(await record(lost.data.id)).toMatchObject({ title: "asked twice" }));
    expect(await applied(lost.id)).toBe(1);
  });
});

describe("gaps the sender can no longer fill", () => {
  it("are passed over once older than its retention, while newer ones are still asked for", async () => {
    const now = Date.now();
    const old = now - RETENTION_MS - 60_000;
    const row = (seq: number, processedAt: number) => ({ eventId: crypto.randomUUID(), type: "payment_created", processedAt, source: "payments", seq });
    // 1, 2, then 5 long ago (3 and 4 lost beyond retention); 6, then 9 just now (7 and 8 missing).
    await db.insert(inbox).values([row(1, old), row(2, old), row(5, old), row(6, now - GRACE_MS), row(9, now - GRACE_MS)]);
    await db.insert(inboxSources).values({ source: "payments", watermark: 0, latestSeq: 9, latestAt: now - GRACE_MS });
    const asked = recorder();
    await requestMissing(db, { queues: { payments: asked.queue }, waitUntil: () => {} }, "orders", now);
    expect(asked.sent).toEqual([{ control: "resend", inbox: "orders", ranges: [[7, 8]] }]);
    const [state] = await db.select().from(inboxSources).where(eq(inboxSources.source, "payments"));
    expect(state!.watermark).toBe(6);
  });

  it("are reported, not asked for, when this inbox cannot reach the source", async () => {
    const now = Date.now();
    await db.insert(inbox).values({ eventId: crypto.randomUUID(), type: "expiration_complete", processedAt: now - GRACE_MS, source: "expiration", seq: 3 });
    await db.insert(inboxSources).values({ source: "expiration", watermark: 0, latestSeq: 3, latestAt: now - GRACE_MS });
    expect(await requestMissing(db, { queues: {}, waitUntil: () => {} }, "orders", now)).toBe(0);
  });
});
