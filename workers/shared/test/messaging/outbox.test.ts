import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { and, eq, isNotNull, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createEvent } from "../../../../schema/events";
import {
  commit,
  heartbeat,
  prune,
  queuesFrom,
  relayRows,
  resend,
  RETENTION_MS,
  stage,
  sweep,
  type Publisher,
  type Queues,
  type Staged,
  type Statement,
} from "../../src/messaging";
import worker, { createListing, updateListing, vinyl } from "./fixture/worker";
import { inbox, listings, outbox, records } from "./fixture/tables";
import { age, applied, call, created, db, inboxHas, outboxRows, record, sourceState, unsentRows } from "./helpers";

const publisher = (queues: Queues, extra: Partial<Publisher> = {}): Publisher => ({ queues, waitUntil: () => {}, ...extra });
const realQueues = () => queuesFrom(env);
const unavailable = { sendBatch: () => Promise.reject(new Error("queue unavailable")) } as unknown as Queue;

/** Commits like a request would and waits for its relay to finish. */
async function commitAndSettle<const T extends readonly (Statement | Staged)[]>(items: T, queues: Queues, extra: Partial<Publisher> = {}) {
  const ctx = createExecutionContext();
  const results = await commit(db, items, { queues, waitUntil: (p) => ctx.waitUntil(p), ...extra });
  await waitOnExecutionContext(ctx);
  return results;
}

const runCron = async () => {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
};

const listing = async (id: string) => (await db.select().from(listings).where(eq(listings.id, id)))[0];

/** Every number given to rows for the orders inbox, in order. */
const ordersSeqs = async () =>
  (await db.select({ seq: outbox.seq }).from(outbox).where(and(eq(outbox.destination, "orders"), isNotNull(outbox.seq))).orderBy(outbox.seq)).map(
    (r) => r.seq!,
  );

describe("a state change and its event", () => {
  it("commit together, are relayed over the real queue, applied by the consumer, and the row is kept as sent", async () => {
    const id = crypto.randomUUID();
    const res = await call(exports.default, "POST", "/listings", { id, title: "Kind of Blue" });
    expect(res.status).toBe(201);
    const { eventId } = await res.json<{ eventId: string }>();
    await vi.waitFor(async () => {
      expect(await record(id)).toEqual({ id, title: "Kind of Blue", version: 1 });
      expect(await inboxHas(eventId)).toBe(true);
      expect(await unsentRows(eventId)).toEqual([]);
    });
    expect(await applied(eventId)).toBe(1);
    const [row] = await outboxRows(eventId);
    expect(row).toMatchObject({ destination: "orders", type: "vinyl_created" });
    expect(row!.seq).toBeGreaterThan(0);
    expect(row!.sentAt).toBeGreaterThan(0);
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
    // An outbox row already holds this event for this inbox, so staging it again violates the key.
    await db.insert(outbox).values({ eventId: change.event.id, destination: "orders", type: change.event.type, body: "{}", createdAt: Date.now() });
    await expect(commitAndSettle(change.items, {})).rejects.toThrow();
    expect(await listing(id)).toBeUndefined();
    await db.delete(outbox).where(eq(outbox.eventId, change.event.id));
  });

  it("answer each statement's result at its place, with nothing for the staged event", async () => {
    const id = crypto.randomUUID();
    const change = createListing(db, id, "Blue Train");
    const [insert, staged, [row]] = await commitAndSettle(
      [...change.items, db.select().from(listings).where(eq(listings.id, id))],
      realQueues(),
    );
    expect(insert.meta.changes).toBe(1);
    expect(staged).toBeUndefined();
    expect(row).toEqual({ id, title: "Blue Train", version: 1 });
  });
});

describe("numbering", () => {
  it("gives the rows for one inbox consecutive numbers in commit order, however many commits race", async () => {
    const before = await ordersSeqs();
    const ids = Array.from({ length: 20 }, () => crypto.randomUUID());
    await Promise.all(ids.map((id, i) => call(exports.default, "POST", "/listings", { id, title: `race ${i}` })));
    const after = await ordersSeqs();
    expect(after.length).toBe(before.length + 20);
    // No number given twice, none skipped: 1 … n.
    expect(after).toEqual(Array.from({ length: after.length }, (_, i) => i + 1));
  });

  it("delivers each message with its number, which the inbox records", async () => {
    const id = crypto.randomUUID();
    const change = createListing(db, id, "Saxophone Colossus");
    await commitAndSettle(change.items, realQueues());
    const [row] = await outboxRows(change.event.id);
    await vi.waitFor(async () => expect(await inboxHas(change.event.id)).toBe(true));
    const [inboxRow] = await db.select().from(inbox).where(eq(inbox.eventId, change.event.id));
    expect(inboxRow).toMatchObject({ source: "catalog", seq: row!.seq });
    expect((await sourceState("catalog"))!.latestSeq).toBeGreaterThanOrEqual(row!.seq!);
  });
});

describe("a relay that fails after the commit", () => {
  it("leaves the row unsent until the cron sweep delivers it, applied once", async () => {
    const id = crypto.randomUUID();
    const change = createListing(db, id, "A Love Supreme");
    const eventId = change.event.id;
    await commitAndSettle(change.items, { orders: unavailable });
    expect(await listing(id)).toMatchObject({ version: 1 });
    expect(await unsentRows(eventId)).toHaveLength(1);

    // Too young for the sweep: a relay might still be sending it.
    await runCron();
    expect(await unsentRows(eventId)).toHaveLength(1);

    await age(eventId, 60_000);
    await runCron();
    expect(await unsentRows(eventId)).toEqual([]);
    await vi.waitFor(async () => expect(await record(id)).toEqual({ id, title: "A Love Supreme", version: 1 }));
    expect(await applied(eventId)).toBe(1);
  });

  it("keeps rows unsent whose inbox has no producer binding", async () => {
    const event = created(crypto.randomUUID(), "unbound");
    await commitAndSettle([stage(db, event)], {});
    const rows = await outboxRows(event.id);
    expect(await relayRows(db, publisher({}), rows)).toEqual({ sent: 0, failed: 1 });
    expect(await unsentRows(event.id)).toHaveLength(1);
    await relayRows(db, publisher(realQueues()), rows);
    expect(await unsentRows(event.id)).toEqual([]);
  });

  it("does not fail a committed change when the relay cannot be kept alive", async () => {
    const id = crypto.randomUUID();
    const change = createListing(db, id, "Giant Steps");
    const ctx = createExecutionContext();
    // The bare method loses its receiver: workerd throws "Illegal invocation" when it is called.
    const waitUntil = ctx.waitUntil as (p: Promise<unknown>) => void;
    await expect(commit(db, change.items, { queues: realQueues(), waitUntil })).resolves.toHaveLength(2);
    expect(await listing(id)).toMatchObject({ title: "Giant Steps" });
    await vi.waitFor(async () => expect(await record(id)).toMatchObject({ title: "Giant Steps" }));
  });
});

describe("the sweep", () => {
  it("leaves rows younger than its threshold alone and sends the older ones", async () => {
    const [young, old] = [created(crypto.randomUUID(), "young"), created(crypto.randomUUID(), "old")];
    await commitAndSettle([stage(db, [young, old])], {});
    await age(old.id, 11_000);
    await sweep(db, publisher(realQueues()));
    expect(await unsentRows(young.id)).toHaveLength(1);
    expect(await unsentRows(old.id)).toEqual([]);
    await vi.waitFor(async () => expect(await record(old.data.id)).toMatchObject({ title: "old" }));
    expect(await record(young.data.id)).toBeUndefined();
    await sweep(db, publisher(realQueues()), 0);
    expect(await unsentRows(young.id)).toEqual([]);
  });

  it("sends more than one batch's worth of rows for one inbox in chunks the queue accepts", async () => {
    const events = Array.from({ length: 120 }, (_, i) => created(crypto.randomUUID(), `pressing ${i}`));
    const sendBatch = vi.fn((messages: Iterable<MessageSendRequest>) => env.ORDERS_EVENTS.sendBatch(messages));
    await commitAndSettle([stage(db, events)], { orders: { ...env.ORDERS_EVENTS, sendBatch } as Queue });
    expect(sendBatch.mock.calls.map(([messages]) => [...messages].length)).toEqual([50, 50, 20]);
    const ids = new Set(events.map((e) => e.id));
    expect((await db.select().from(outbox)).filter((r) => ids.has(r.eventId) && r.destination === "orders" && r.sentAt === null)).toEqual([]);
    const replicated = sql`select count(*) as n from ${records} where ${records.id} in (select value from json_each(${JSON.stringify(events.map((e) => e.data.id))}))`;
    await vi.waitFor(async () => expect(await db.get<{ n: number }>(replicated)).toEqual({ n: 120 }), { timeout: 10_000 });
  }, 15_000);

  it("sends a message too large for the queue on its own, so it cannot hold back the others", async () => {
    const huge = createEvent("vinyl_created", "catalog", { ...vinyl(crypto.randomUUID(), "huge", 1), description: "x".repeat(130_000) }, 1);
    const events = [created(crypto.randomUUID(), "before"), huge, created(crypto.randomUUID(), "after")];
    await commitAndSettle([stage(db, events)], {});
    const rows = (await Promise.all(events.map((e) => outboxRows(e.id)))).flat();
    expect(await relayRows(db, publisher(realQueues()), rows)).toEqual({ sent: 2, failed: 1 });
    expect(await unsentRows(huge.id)).toHaveLength(1);
    await db.delete(outbox).where(eq(outbox.eventId, huge.id));
  });
});

describe("stage with a `when` condition", () => {
  it("writes the event only for the update that won", async () => {
    const id = crypto.randomUUID();
    await commitAndSettle(createListing(db, id, "v1").items, realQueues());
    const first = updateListing(db, id, "first", 1);
    const second = updateListing(db, id, "second", 1);
    await commitAndSettle(first.items, realQueues());
    await commitAndSettle(second.items, realQueues());
    expect(await listing(id)).toMatchObject({ title: "first", version: 2 });
    expect(await outboxRows(first.event.id)).toHaveLength(1);
    expect(await outboxRows(second.event.id)).toEqual([]);
  });

  it("writes all or none of the rows of events that go to several inboxes", async () => {
    const order = (title: string) =>
      createEvent("order_created", "orders", {
        id: crypto.randomUUID(), userId: crypto.randomUUID(), sellerId: crypto.randomUUID(), status: "created", cancelReason: null,
        expiresAt: "2026-01-01T00:15:00.000Z", vinyl: { id: crypto.randomUUID(), title, priceCents: 100, currency: "USD" },
        version: 1, createdAt: "2026-01-01T00:00:00.000Z",
      }, 1);
    const id = crypto.randomUUID();
    await db.insert(listings).values({ id, title: "x", version: 1 });
    const [hit, also, miss] = [order("hit"), order("also"), order("miss")];
    const touch = (version: number) =>
      db.update(listings).set({ version: version + 1 }).where(sql`${listings.id} = ${id} and ${listings.version} = ${version}`);
    await db.batch([touch(1), stage(db, [hit, also], { when: sql`changes() > 0` }).statement]);
    await db.batch([touch(1), stage(db, [miss], { when: sql`changes() > 0` }).statement]);
    for (const event of [hit, also]) {
      const rows = await db.select().from(outbox).where(eq(outbox.eventId, event.id));
      expect(rows.map((r) => r.destination).sort()).toEqual(["catalog", "expiration", "notifications", "payments"]);
    }
    expect(await db.select().from(outbox).where(eq(outbox.eventId, miss.id))).toEqual([]);
    await db.delete(outbox).where(sql`${outbox.eventId} in (${hit.id}, ${also.id})`);
  });
});

describe("kept rows", () => {
  it("are sent again on an inbox's request, by number", async () => {
    const events = [created(crypto.randomUUID(), "first pressing"), created(crypto.randomUUID(), "second pressing")];
    await commitAndSettle([stage(db, events)], realQueues());
    const seqs = (await Promise.all(events.map((e) => outboxRows(e.id)))).flat().map((r) => r.seq!);
    const sendBatch = vi.fn((messages: Iterable<MessageSendRequest>) => env.ORDERS_EVENTS.sendBatch(messages));
    const result = await resend(db, publisher({ orders: { ...env.ORDERS_EVENTS, sendBatch } as Queue }), "orders", [[seqs[0]!, seqs[1]!]]);
    expect(result).toEqual({ sent: 2, failed: 0 });
    const sent = sendBatch.mock.calls.flatMap(([messages]) => [...messages].map((m) => m.body as { id: string; seq: number }));
    expect(sent.map((m) => [m.id, m.seq])).toEqual(events.map((e, i) => [e.id, seqs[i]]));
  });

  it("past their retention are pruned, except each inbox's newest, which numbering continues from", async () => {
    const events = [created(crypto.randomUUID(), "old one"), created(crypto.randomUUID(), "old two")];
    await commitAndSettle([stage(db, events)], realQueues());
    const unsent = created(crypto.randomUUID(), "never sent");
    await commitAndSettle([stage(db, unsent)], {});
    const highest = Math.max(...(await ordersSeqs()));
    // Everything sent is now past its retention.
    const pruned = await prune(db, Date.now() + RETENTION_MS + 60_000);
    expect(pruned).toBeGreaterThan(0);
    const left = await db.select().from(outbox).where(eq(outbox.destination, "orders"));
    expect(left.map((r) => r.seq)).toEqual([highest]);
    expect(left[0]!.eventId).toBe(unsent.id);
    await sweep(db, publisher(realQueues()), 0);
    const next = created(crypto.randomUUID(), "after the prune");
    await commitAndSettle([stage(db, next)], realQueues());
    expect((await outboxRows(next.id))[0]!.seq).toBe(highest + 1);
  });
});

describe("the heartbeat", () => {
  it("tells each inbox the highest number it was given", async () => {
    const event = created(crypto.randomUUID(), "heartbeat");
    await commitAndSettle([stage(db, event)], realQueues());
    const [row] = await outboxRows(event.id);
    // One for each inbox vinyl events go to: orders and notifications.
    expect(await heartbeat(db, publisher(realQueues()), "catalog")).toBe(2);
    await vi.waitFor(async () => expect((await sourceState("catalog"))!.latestSeq).toBeGreaterThanOrEqual(row!.seq!));
  });
});

describe("a lossy queue", () => {
  it("drops the configured share of messages after marking them sent, as a queue that lost them would", async () => {
    const event = created(crypto.randomUUID(), "lost at sea");
    await commitAndSettle([stage(db, event)], realQueues(), { lossRate: 1 });
    expect(await unsentRows(event.id)).toEqual([]);
    await runCron();
    expect(await inboxHas(event.id)).toBe(false);
    expect(await record(event.data.id)).toBeUndefined();
  });
});
