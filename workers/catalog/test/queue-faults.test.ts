import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { and, eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createEvent, type DomainEvent } from "../../../schema/events";
import { inbox, outbox } from "../../../schema/tables/catalog";
import { retryDelay } from "../../shared/src/messaging";
import { app } from "../src/app";
import worker from "../src/index";
import { BASE, db, downQueue, newUser, validVinyl, type Vinyl } from "./client";
import { flakyD1, flakyQueue, gatedQueue } from "./fuzz-faults";
import { deliver, listing, orderEvent, recorder, storeListings } from "./fuzz-queue";

/** The consumer logs every retry and dead letter; the assertions say what matters. */
const quiet = () => {
  for (const level of ["log", "warn", "error"] as const) vi.spyOn(console, level).mockImplementation(() => {});
};

/** Runs the minute cron (sweep, heartbeat, gap requests, pruning) and waits for it. */
async function sweep(bindings: Partial<Env>) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "* * * * *" }), { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
}

/** Makes the outbox rows of events about vinyl `id` look `ms` older, as if the sweep came by that much later. */
const age = (id: string, ms = 11_000) =>
  db.update(outbox).set({ createdAt: sql`${outbox.createdAt} - ${ms}` }).where(sql`json_extract(${outbox.body}, '$.data.id') = ${id}`);

/** The rows bound for orders (the notifications inbox gets its own copy, relayed by the real queue here). */
const outboxAbout = (id: string) =>
  db.select().from(outbox).where(and(sql`json_extract(${outbox.body}, '$.data.id') = ${id}`, eq(outbox.destination, "orders")));
const about = (id: string) => (e: { data: unknown }) => (e.data as { id?: string }).id === id;

/** Lists a record through the app with its relay failing after the commit. */
async function listWithRelayDown(bindings: Partial<Env> = { ORDERS_EVENTS: downQueue }) {
  const seller = await newUser();
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(new URL("/api/vinyls", BASE), {
      method: "POST",
      headers: { "content-type": "application/json", cookie: seller.cookie },
      body: JSON.stringify(validVinyl()),
    }),
    { ...env, ...bindings },
    ctx,
  );
  return { res, ctx };
}

describe("the catalog inbox when D1 fails", () => {
  quiet();

  it.each([1, 3, 5])(
    "retries an order event whose commit fails on its first %i deliveries, with backoff, and applies it once",
    async (failures) => {
      const [vinylId] = await storeListings(1);
      const event = orderEvent("order_created", crypto.randomUUID(), vinylId!, 0);
      const d1 = flakyD1(env.CATALOG_DB, { before: failures });
      const published = recorder();
      for (let attempt = 1; attempt <= failures; attempt++) {
        const { ids, result, retries } = await deliver([event], { CATALOG_DB: d1.binding, ORDERS_EVENTS: published.queue }, attempt);
        expect(result.explicitAcks).toEqual([]);
        expect(retries).toEqual([{ msgId: ids[0], delaySeconds: retryDelay(attempt) }]);
        expect(await listing(vinylId!)).toMatchObject({ status: "available", version: 0 });
      }
      const { ids, result } = await deliver([event], { CATALOG_DB: d1.binding, ORDERS_EVENTS: published.queue }, failures + 1);
      expect(result).toMatchObject({ explicitAcks: ids, retryMessages: [] });
      // A redelivery after success changes nothing more.
      await deliver([event], { CATALOG_DB: d1.binding, ORDERS_EVENTS: published.queue }, failures + 2);
      expect(d1.failed.before).toBe(failures);
      expect(await listing(vinylId!)).toMatchObject({ status: "reserved", orderId: event.data.id, version: 1 });
      // A reservation is catalog's own business: nothing staged, nothing sent.
      expect(await outboxAbout(vinylId!)).toEqual([]);
      expect(published.sent).toEqual([]);
    },
  );

  it("acknowledges an event whose commit succeeded but whose reply was lost, and applies it once", async () => {
    const [vinylId] = await storeListings(1);
    const event = orderEvent("order_created", crypto.randomUUID(), vinylId!, 0);
    const d1 = flakyD1(env.CATALOG_DB, { after: 1 });
    const published = recorder();
    const { ids, result } = await deliver([event], { CATALOG_DB: d1.binding, ORDERS_EVENTS: published.queue });
    expect(d1.failed.after).toBe(1);
    expect(result).toMatchObject({ explicitAcks: ids, retryMessages: [] });
    await deliver([event], { ORDERS_EVENTS: published.queue }, 2);
    expect(await listing(vinylId!)).toMatchObject({ status: "reserved", version: 1 });
    expect(await db.select().from(inbox).where(eq(inbox.eventId, event.id))).toHaveLength(1);
    expect(await outboxAbout(vinylId!)).toEqual([]);
    expect(published.sent).toEqual([]);
  });

  it("keeps the rest of a batch moving while one message's commit fails", async () => {
    const vinylIds = await storeListings(3);
    const events = vinylIds.map((id) => orderEvent("order_created", crypto.randomUUID(), id, 0));
    // The first batch() is the whole delivery's; the second, after it failed, the first message's alone.
    const d1 = flakyD1(env.CATALOG_DB, { before: 2 });
    const { ids, result, retries } = await deliver(events, { CATALOG_DB: d1.binding, ORDERS_EVENTS: downQueue });
    expect(retries).toEqual([{ msgId: ids[0], delaySeconds: retryDelay(1) }]);
    expect(result.explicitAcks).toEqual(ids.slice(1));
    expect((await listing(vinylIds[0]!)).status).toBe("available");
    expect((await listing(vinylIds[1]!)).status).toBe("reserved");
    expect((await listing(vinylIds[2]!)).status).toBe("reserved");
    const again = await deliver([events[0]], { ORDERS_EVENTS: downQueue }, 2);
    expect(again.result.explicitAcks).toEqual(again.ids);
    expect(await listing(vinylIds[0]!)).toMatchObject({ status: "reserved", version: 1 });
  });
});

describe("a message the catalog inbox can never apply", () => {
  quiet();

  const poison = () => {
    const vinyl = { id: crypto.randomUUID(), userId: crypto.randomUUID(), title: "x", artist: null, genre: "Jazz" as const, priceCents: 100, currency: "USD", description: null, imageUrl: null, mediaCondition: null, sleeveCondition: null, format: null, year: null, label: null, status: "available" as const, orderId: null, version: 0, createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z" };
    return [
      { id: "not-a-uuid", type: "order_created", data: {} },
      "a plain string",
      null,
      { ...orderEvent("order_created", crypto.randomUUID(), crypto.randomUUID(), 0), version: -1 },
      // Catalog does not subscribe to its own events.
      createEvent("vinyl_created", "catalog", vinyl, 0),
    ];
  };

  it("goes to the dead-letter queue at once while every other message of its batch is applied", async () => {
    const [a, b] = await storeListings(2);
    const good = [orderEvent("order_created", crypto.randomUUID(), a!, 0), orderEvent("order_created", crypto.randomUUID(), b!, 0)];
    const bad = poison();
    const dead = flakyQueue();
    const bodies = [bad[0], good[0], bad[1], bad[2], bad[3], good[1], bad[4]];
    const { ids, result, retries } = await deliver(bodies, { DEAD_LETTERS: dead.queue, ORDERS_EVENTS: downQueue });
    expect(retries).toEqual([]);
    expect([...result.explicitAcks].sort()).toEqual([...ids].sort());
    expect(dead.sent).toEqual(bad);
    expect((await listing(a!)).status).toBe("reserved");
    expect((await listing(b!)).status).toBe("reserved");
    // A well-formed event the inbox takes no handler for is recorded all the same, so its
    // number is never asked for again; a malformed body has no id to record.
    const recorded = await db.select({ eventId: inbox.eventId }).from(inbox).where(inArray(inbox.eventId, [(bad[4] as DomainEvent).id, (bad[3] as DomainEvent).id]));
    expect(recorded).toEqual([{ eventId: (bad[4] as DomainEvent).id }]);
  });

  it("is retried, never lost, when the dead-letter queue itself refuses it, and the rest still apply", async () => {
    const [a] = await storeListings(1);
    const good = orderEvent("order_created", crypto.randomUUID(), a!, 0);
    const [bad] = poison();
    const dead = flakyQueue(1);
    const first = await deliver([bad, good], { DEAD_LETTERS: dead.queue, ORDERS_EVENTS: downQueue });
    expect(first.retries).toEqual([{ msgId: first.ids[0], delaySeconds: retryDelay(1) }]);
    expect(first.result.explicitAcks).toEqual([first.ids[1]]);
    expect((await listing(a!)).status).toBe("reserved");
    const second = await deliver([bad], { DEAD_LETTERS: dead.queue }, 2);
    expect(second.result.explicitAcks).toEqual(second.ids);
    expect(dead.sent).toEqual([bad]);
  });
});

describe("catalog's outbox when the relay fails after the commit", () => {
  quiet();

  it("keeps the listing's vinyl_created unsent until the sweep sends it, once the row is old enough, and only once", async () => {
    const { res, ctx } = await listWithRelayDown();
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(201);
    const vinyl = await res.json<Vinyl>();
    const [row] = await outboxAbout(vinyl.id);
    expect(row).toMatchObject({ type: "vinyl_created", destination: "orders", seq: expect.any(Number), sentAt: null });

    const orders = recorder();
    // A sweep right after the commit leaves the row to the relay that may still be sending it.
    await sweep({ ORDERS_EVENTS: orders.queue });
    expect(orders.sent.filter(about(vinyl.id))).toEqual([]);

    await age(vinyl.id);
    await sweep({ ORDERS_EVENTS: orders.queue });
    await sweep({ ORDERS_EVENTS: orders.queue });
    const sent = orders.sent.filter(about(vinyl.id));
    // The event as staged, with the number the commit gave its row.
    expect(sent).toEqual([{ ...JSON.parse(row!.body), seq: row!.seq }]);
    expect(sent[0]).toMatchObject({ id: row!.eventId, type: "vinyl_created", version: 0, data: { id: vinyl.id, title: vinyl.title, priceCents: 2500, status: "available" } });
    // Kept, marked sent: an inbox that missed it can still ask for it again.
    expect(await outboxAbout(vinyl.id)).toEqual([{ ...row, createdAt: row!.createdAt - 11_000, sentAt: expect.any(Number) }]);
  });

  it("sends the same envelope twice, and loses nothing, when a late relay and the sweep both read the row", async () => {
    const late = gatedQueue();
    const { res, ctx } = await listWithRelayDown({ ORDERS_EVENTS: late.queue });
    expect(res.status).toBe(201);
    const vinyl = await res.json<Vinyl>();
    // The relay has read the row and is stuck sending it; the sweep reads it too.
    await late.entered;
    await age(vinyl.id);
    const swept = recorder();
    await sweep({ ORDERS_EVENTS: swept.queue });
    late.release();
    await waitOnExecutionContext(ctx);
    const fromSweep = swept.sent.filter(about(vinyl.id));
    expect(fromSweep).toHaveLength(1);
    // One event id however many senders: the orders inbox applies it once (tested there).
    expect(late.sent.filter(about(vinyl.id))).toEqual(fromSweep);
    expect(fromSweep[0]).toMatchObject({ seq: expect.any(Number) });
    expect(await outboxAbout(vinyl.id)).toMatchObject([{ sentAt: expect.any(Number) }]);
  });

  it("reserves once for an order event that orders' sweep and a late relay deliver at the same time, and stages nothing", async () => {
    const [vinylId] = await storeListings(1);
    const event = orderEvent("order_created", crypto.randomUUID(), vinylId!, 0);
    const [first, second] = await Promise.all([
      deliver([event], { ORDERS_EVENTS: downQueue }),
      deliver([event], { ORDERS_EVENTS: downQueue }),
    ]);
    expect(first.result.explicitAcks).toEqual(first.ids);
    expect(second.result.explicitAcks).toEqual(second.ids);
    expect(await listing(vinylId!)).toMatchObject({ status: "reserved", orderId: event.data.id, version: 1 });
    // No echo of the reservation waits in the outbox for a sweep.
    expect(await outboxAbout(vinylId!)).toEqual([]);
  });

  it("tells the orders inbox, on each cron run, the highest number it has given it", async () => {
    const { res, ctx } = await listWithRelayDown();
    await waitOnExecutionContext(ctx);
    const vinyl = await res.json<Vinyl>();
    const [row] = await outboxAbout(vinyl.id);
    const orders = recorder();
    // Sent or not, the row's number is the highest: an inbox that never got it learns of the gap.
    await sweep({ ORDERS_EVENTS: orders.queue });
    expect(orders.controls).toEqual([{ control: "heartbeat", source: "catalog", seq: row!.seq }]);
  });

  it("sends rows again when the orders inbox asks for their numbers", async () => {
    const { res, ctx } = await listWithRelayDown();
    await waitOnExecutionContext(ctx);
    const vinyl = await res.json<Vinyl>();
    const [row] = await outboxAbout(vinyl.id);
    // The orders inbox found the number missing and asks, through catalog's inbox, for it.
    const orders = recorder();
    const request = { control: "resend", inbox: "orders", ranges: [[row!.seq, row!.seq]] };
    const { ids, result } = await deliver([request], { ORDERS_EVENTS: orders.queue });
    expect(result).toMatchObject({ explicitAcks: ids, retryMessages: [] });
    expect(orders.sent).toEqual([{ ...JSON.parse(row!.body), seq: row!.seq }]);
    expect(await outboxAbout(vinyl.id)).toEqual([{ ...row, sentAt: expect.any(Number) }]);
  });
});
