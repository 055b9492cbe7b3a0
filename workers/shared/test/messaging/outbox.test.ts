import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { eq, sql, type SQL } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createEvent } from "../../../../schema/events";
import { commit, queuesFrom, relay, stageEvents, sweep, type Queues, type Statement } from "../../src/outbox";
import worker, { createListing, updateListing, vinyl } from "./fixture/worker";
import { listings, outbox, records } from "./fixture/tables";
import { age, applied, call, created, db, inboxHas, outboxRows, record } from "./helpers";

const realQueues = () => queuesFrom(env);
const unavailable = { sendBatch: () => Promise.reject(new Error("queue unavailable")) } as unknown as Queue;

/** Commits like a request would and waits for its relay to finish. */
async function commitAndSettle(statements: Statement[], events: Parameters<typeof commit>[2], queues: Queues, when?: SQL) {
  const ctx = createExecutionContext();
  await commit(db, statements, events, { queues, waitUntil: (p) => ctx.waitUntil(p), when });
  await waitOnExecutionContext(ctx);
}

const runCron = () => worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);

const listing = async (id: string) => (await db.select().from(listings).where(eq(listings.id, id)))[0];

describe("a state change and its event", () => {
  it("commit together, are relayed over the real queue, applied by the consumer, and leave the outbox empty", async () => {
    const id = crypto.randomUUID();
    const res = await call(exports.default, "POST", "/listings", { id, title: "Kind of Blue" });
    expect(res.status).toBe(201);
    const { eventId } = await res.json<{ eventId: string }>();
    await vi.waitFor(async () => {
      expect(await record(id)).toEqual({ id, title: "Kind of Blue", version: 1 });
      expect(await inboxHas(eventId)).toBe(true);
      expect(await outboxRows(eventId)).toEqual([]);
    });
    expect(await applied(eventId)).toBe(1);
  });

  it("carry an update over HTTP to the replica as the next version", async () => {
    const id = crypto.randomUUID();
    await call(exports.default, "POST", "/listings", { id, title: "Time Out" });
    const res = await call(exports.default, "PUT", `/listings/${id}`, { title: "Time Out (mono)", version: 1 });
    expect(res.status).toBe(200);
    await vi.waitFor(async () => expect(await record(id)).toEqual({ id, title: "Time Out (mono)", version: 2 }));
  });

  it("leave no outbox row when the state change fails", async () => {
    const id = crypto.randomUUID();
    await call(exports.default, "POST", "/listings", { id, title: "original" });
    const res = await call(exports.default, "POST", "/listings", { id, title: "duplicate" });
    expect(res.status).toBe(409);
    const staged = await db.select().from(outbox).where(sql`json_extract(${outbox.body}, '$.data.title') = 'duplicate'`);
    expect(staged).toEqual([]);
  });

  it("leave no state change when the outbox row cannot be written", async () => {
    const id = crypto.randomUUID();
    const change = createListing(db, id, "never stored");
    const event = change.events[0]!;
    // An outbox row already holds this event for this inbox, so staging it again violates the key.
    await db.insert(outbox).values({ eventId: event.id, destination: "orders", type: event.type, body: "{}", createdAt: Date.now() });
    await expect(commitAndSettle(change.statements, change.events, {})).rejects.toThrow();
    expect(await listing(id)).toBeUndefined();
    await db.delete(outbox).where(eq(outbox.eventId, event.id));
  });
});

describe("a relay that fails after the commit", () => {
  it("leaves the row in the outbox until the cron sweep delivers it, applied once", async () => {
    const id = crypto.randomUUID();
    const change = createListing(db, id, "A Love Supreme");
    const eventId = change.events[0]!.id;
    await commitAndSettle(change.statements, change.events, { orders: unavailable });
    expect(await listing(id)).toMatchObject({ version: 1 });
    expect(await outboxRows(eventId)).toHaveLength(1);

    // Too young for the sweep: a relay might still be sending it.
    await runCron();
    expect(await outboxRows(eventId)).toHaveLength(1);

    await age(eventId, 60_000);
    await runCron();
    expect(await outboxRows(eventId)).toEqual([]);
    await vi.waitFor(async () => expect(await record(id)).toEqual({ id, title: "A Love Supreme", version: 1 }));
    expect(await applied(eventId)).toBe(1);
  });

  it("keeps rows whose inbox has no producer binding", async () => {
    const event = created(crypto.randomUUID(), "unbound");
    await commitAndSettle([], [event], {});
    expect(await relay(db, {}, [event.id])).toEqual({ sent: 0, failed: 1 });
    expect(await outboxRows(event.id)).toHaveLength(1);
    await relay(db, realQueues(), [event.id]);
    expect(await outboxRows(event.id)).toEqual([]);
  });

  it("does not fail a committed change when the relay cannot be kept alive", async () => {
    const id = crypto.randomUUID();
    const change = createListing(db, id, "Giant Steps");
    const ctx = createExecutionContext();
    // The bare method loses its receiver: workerd throws "Illegal invocation" when it is called.
    const waitUntil = ctx.waitUntil as (p: Promise<unknown>) => void;
    await expect(commit(db, change.statements, change.events, { queues: realQueues(), waitUntil })).resolves.toHaveLength(2);
    expect(await listing(id)).toMatchObject({ title: "Giant Steps" });
    await vi.waitFor(async () => expect(await record(id)).toMatchObject({ title: "Giant Steps" }));
  });
});

describe("the sweep", () => {
  it("leaves rows younger than its threshold alone and sends the older ones", async () => {
    const [young, old] = [created(crypto.randomUUID(), "young"), created(crypto.randomUUID(), "old")];
    await commitAndSettle([], [young, old], {});
    await age(old.id, 11_000);
    await sweep(db, realQueues());
    expect(await outboxRows(young.id)).toHaveLength(1);
    expect(await outboxRows(old.id)).toEqual([]);
    await vi.waitFor(async () => expect(await record(old.data.id)).toMatchObject({ title: "old" }));
    expect(await record(young.data.id)).toBeUndefined();
    await sweep(db, realQueues(), 0);
    expect(await outboxRows(young.id)).toEqual([]);
  });

  it("sends more than one batch's worth of rows for one inbox in chunks the queue accepts", async () => {
    const events = Array.from({ length: 120 }, (_, i) => created(crypto.randomUUID(), `pressing ${i}`));
    const sendBatch = vi.fn((messages: Iterable<MessageSendRequest>) => env.ORDERS_EVENTS.sendBatch(messages));
    await commitAndSettle([], events, { orders: { ...env.ORDERS_EVENTS, sendBatch } as Queue });
    expect(sendBatch.mock.calls.map(([messages]) => [...messages].length)).toEqual([50, 50, 20]);
    const ids = new Set(events.map((e) => e.id));
    expect((await db.select().from(outbox)).filter((r) => ids.has(r.eventId))).toEqual([]);
    const replicated = sql`select count(*) as n from ${records} where ${records.id} in (select value from json_each(${JSON.stringify(events.map((e) => e.data.id))}))`;
    await vi.waitFor(async () => expect(await db.get<{ n: number }>(replicated)).toEqual({ n: 120 }), { timeout: 10_000 });
  }, 15_000);

  it("sends a message too large for the queue on its own, so it cannot hold back the others", async () => {
    const huge = createEvent("vinyl_created", "catalog", { ...vinyl(crypto.randomUUID(), "huge", 1), description: "x".repeat(130_000) }, 1);
    const events = [created(crypto.randomUUID(), "before"), huge, created(crypto.randomUUID(), "after")];
    await commitAndSettle([], events, {});
    expect(await relay(db, realQueues(), events.map((e) => e.id))).toEqual({ sent: 2, failed: 1 });
    expect(await outboxRows(huge.id)).toHaveLength(1);
    await db.delete(outbox).where(eq(outbox.eventId, huge.id));
  });
});

describe("stageEvents with a `when` condition", () => {
  it("writes the event only for the update that won", async () => {
    const id = crypto.randomUUID();
    const create = createListing(db, id, "v1");
    await commitAndSettle(create.statements, create.events, realQueues());
    const first = updateListing(db, id, "first", 1);
    const second = updateListing(db, id, "second", 1);
    await commitAndSettle(first.statements, first.events, {}, first.when);
    await commitAndSettle(second.statements, second.events, {}, second.when);
    expect(await listing(id)).toMatchObject({ title: "first", version: 2 });
    expect(await outboxRows(first.events[0]!.id)).toHaveLength(1);
    expect(await outboxRows(second.events[0]!.id)).toEqual([]);
    await relay(db, realQueues(), [first.events[0]!.id]);
  });

  it("writes all or none of an event's rows when it goes to several inboxes", async () => {
    const order = (title: string) =>
      createEvent("order_created", "orders", {
        id: crypto.randomUUID(), userId: crypto.randomUUID(), status: "created", cancelReason: null,
        expiresAt: "2026-01-01T00:15:00.000Z", vinyl: { id: crypto.randomUUID(), title, priceCents: 100, currency: "USD" },
        version: 1, createdAt: "2026-01-01T00:00:00.000Z",
      }, 1);
    const id = crypto.randomUUID();
    await db.insert(listings).values({ id, title: "x", version: 1 });
    const [hit, miss] = [order("hit"), order("miss")];
    const touch = (version: number) =>
      db.update(listings).set({ version: version + 1 }).where(sql`${listings.id} = ${id} and ${listings.version} = ${version}`);
    await db.batch([touch(1), ...stageEvents(db, [hit], sql`changes() > 0`)] as [Statement, ...Statement[]]);
    await db.batch([touch(1), ...stageEvents(db, [miss], sql`changes() > 0`)] as [Statement, ...Statement[]]);
    expect((await outboxRows(hit.id)).map((r) => r.destination).sort()).toEqual(["catalog", "expiration", "payments"]);
    expect(await outboxRows(miss.id)).toEqual([]);
    await db.delete(outbox).where(eq(outbox.eventId, hit.id));
  });
});
