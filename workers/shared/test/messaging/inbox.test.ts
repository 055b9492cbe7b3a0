import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createEvent, type EventOf } from "../../../../schema/events";
import { sql } from "drizzle-orm";
import { createInboxConsumer, retryDelay, stage, type Handlers } from "../../src/messaging";
import { countingD1 } from "../counting-d1";
import worker, { database, handlers, inboxOptions, PERMANENT, TRANSIENT } from "./fixture/worker";
import { applied, created, deadLettersWith, deliver, inboxHas, outboxRows, record, unsentRows, updated } from "./helpers";

const consume = (batch: MessageBatch, e: Env, ctx: ExecutionContext) => worker.queue(batch, e, ctx);
const allAcked = (ids: string[]) => ({ explicitAcks: expect.arrayContaining(ids), retryMessages: [] });

describe("an event delivered more than once", () => {
  it("is applied once when the same event arrives twice in one batch, and both copies are acked", async () => {
    const event = created(crypto.randomUUID(), "Blue Train");
    const { ids, result } = await deliver(consume, [event, event]);
    expect(result).toMatchObject(allAcked(ids));
    expect(await applied(event.id)).toBe(1);
    expect(await record(event.data.id)).toMatchObject({ title: "Blue Train", version: 1 });
  });

  it("is applied once when the same event arrives in two batches, and both are acked", async () => {
    const handler = vi.fn(handlers.vinyl_created!);
    const consumer = createInboxConsumer({ ...inboxOptions, handlers: { vinyl_created: handler } });
    const event = created(crypto.randomUUID(), "Moanin'");
    const first = await deliver(consumer, [event]);
    const second = await deliver(consumer, [event], 2);
    expect(first.result).toMatchObject(allAcked(first.ids));
    expect(second.result).toMatchObject(allAcked(second.ids));
    expect(await applied(event.id)).toBe(1);
    // A redelivery is recognised before the handler runs, so no handler sees it twice.
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("is applied once when a copy sent anew arrives as a first delivery, its handler's effect refused by the inbox", async () => {
    const handler = vi.fn(handlers.vinyl_created!);
    const consumer = createInboxConsumer({ ...inboxOptions, handlers: { vinyl_created: handler } });
    const event = created(crypto.randomUUID(), "Mode for Joe");
    const first = await deliver(consumer, [event]);
    // A resend or the sweep sends the row again as a new message: its first delivery is not looked up first.
    const copy = await deliver(consumer, [event]);
    expect(first.result).toMatchObject(allAcked(first.ids));
    expect(copy.result).toMatchObject(allAcked(copy.ids));
    expect(await applied(event.id)).toBe(1);
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it("is applied once when two consumers race on the same event", async () => {
    const event = created(crypto.randomUUID(), "Somethin' Else");
    const [a, b] = await Promise.all([deliver(consume, [event]), deliver(consume, [event])]);
    expect(a.result).toMatchObject(allAcked(a.ids));
    expect(b.result).toMatchObject(allAcked(b.ids));
    expect(await applied(event.id)).toBe(1);
  });
});

describe("a delivery of several events", () => {
  /** The fixture's env with every D1 round trip counted. */
  function counted() {
    const d1 = countingD1(env.DB);
    return { d1, env: { ...env, DB: d1.db } };
  }
  const title = (name: string) => `${name} ${crypto.randomUUID().slice(0, 8)}`;

  it("commits them all in one D1 round trip, each applied once and every message acked", async () => {
    const { d1, env: countedEnv } = counted();
    const id = crypto.randomUUID();
    // As many as the queues deliver at once; one record twice, in version order.
    const events = [
      ...Array.from({ length: 8 }, () => created(crypto.randomUUID(), title("side"))),
      created(id, "first pressing"),
      updated(id, "second pressing", 2),
    ];
    const { ids, result } = await deliver(consume, events, 1, countedEnv);
    expect(result).toMatchObject(allAcked(ids));
    expect(result.explicitAcks).toHaveLength(events.length);
    expect(d1.requestCalls().map((c) => c.method)).toEqual(["batch"]);
    for (const event of events) expect(await applied(event.id)).toBe(1);
    expect(await record(id)).toEqual({ id, title: "second pressing", version: 2 });
  });

  it("applies the others once when one of them is recorded already (a copy sent anew), and acks all", async () => {
    const known = created(crypto.randomUUID(), title("known"));
    await deliver(consume, [known]);
    const [before, after] = [created(crypto.randomUUID(), title("before")), created(crypto.randomUUID(), title("after"))];
    const { ids, result } = await deliver(consume, [before, known, after]);
    expect(result).toMatchObject(allAcked(ids));
    expect(result.explicitAcks).toHaveLength(3);
    for (const event of [before, known, after]) expect(await applied(event.id)).toBe(1);
  });

  it("retries only the event whose handler fails for now, and commits the others together", async () => {
    const { d1, env: countedEnv } = counted();
    const [a, busy, c] = [created(crypto.randomUUID(), title("a")), created(crypto.randomUUID(), `${TRANSIENT}busy`), created(crypto.randomUUID(), title("c"))];
    const { ids, result, retries } = await deliver(consume, [a, busy, c], 1, countedEnv);
    expect(result.explicitAcks).toEqual(expect.arrayContaining([ids[0], ids[2]]));
    expect(result.explicitAcks).toHaveLength(2);
    expect(retries).toEqual([{ msgId: ids[1], delaySeconds: retryDelay(1) }]);
    expect([await applied(a.id), await applied(c.id), await applied(busy.id)]).toEqual([1, 1, 0]);
    expect(await inboxHas(busy.id)).toBe(false);
    const [together] = d1.requestCalls();
    expect(together!.method).toBe("batch");
    expect(together!.statements.flatMap((s) => s.params)).toEqual(expect.arrayContaining([a.id, c.id]));
  });

  it("dead-letters the event whose handler throws PermanentError, and applies the others", async () => {
    const [a, poisoned, c] = [created(crypto.randomUUID(), title("a")), created(crypto.randomUUID(), `${PERMANENT}never`), created(crypto.randomUUID(), title("c"))];
    const { ids, result } = await deliver(consume, [a, poisoned, c]);
    expect(result).toMatchObject(allAcked(ids));
    expect(result.explicitAcks).toHaveLength(3);
    expect([await applied(a.id), await applied(c.id), await applied(poisoned.id)]).toEqual([1, 1, 0]);
    expect(await inboxHas(poisoned.id)).toBe(true);
    await vi.waitFor(async () => expect(await deadLettersWith("$.id", poisoned.id)).toHaveLength(1));
  });

  it("applies the others when one event's effect fails in the batch, and retries that one", async () => {
    const consumer = createInboxConsumer({
      ...inboxOptions,
      handlers: { ...handlers, vinyl_updated: (_event, e) => ({ statements: [database(e).run(sql`insert into nowhere values (1)`)] }) },
    });
    const [a, broken, c] = [created(crypto.randomUUID(), title("a")), updated(crypto.randomUUID(), "x", 2), created(crypto.randomUUID(), title("c"))];
    const { ids, result, retries } = await deliver(consumer, [a, broken, c]);
    expect(result.explicitAcks).toEqual(expect.arrayContaining([ids[0], ids[2]]));
    expect(result.explicitAcks).toHaveLength(2);
    expect(retries).toEqual([{ msgId: ids[1], delaySeconds: retryDelay(1) }]);
    expect([await applied(a.id), await applied(c.id)]).toEqual([1, 1]);
    expect(await inboxHas(broken.id)).toBe(false);
  });

  it("looks its redeliveries up in one query and runs handlers only for those not recorded", async () => {
    const [a, b] = [created(crypto.randomUUID(), title("a")), created(crypto.randomUUID(), title("b"))];
    await deliver(consume, [a, b]);
    const [c, d] = [created(crypto.randomUUID(), title("c")), created(crypto.randomUUID(), title("d"))];
    const handler = vi.fn(handlers.vinyl_created!);
    const consumer = createInboxConsumer({ ...inboxOptions, handlers: { vinyl_created: handler } });
    const { d1, env: countedEnv } = counted();
    const { ids, result } = await deliver(consumer, [a, c, b, d], 2, countedEnv);
    expect(result).toMatchObject(allAcked(ids));
    expect(result.explicitAcks).toHaveLength(4);
    expect(handler.mock.calls.map(([event]) => event.id)).toEqual([c.id, d.id]);
    const [lookup, commit, ...more] = d1.requestCalls();
    expect(more).toEqual([]);
    expect(lookup!.statements).toHaveLength(1);
    expect(lookup!.statements[0]!.sql).toMatch(/^select .* from "inbox"/);
    expect(lookup!.statements[0]!.params).toEqual(expect.arrayContaining([a.id, b.id, c.id, d.id]));
    expect(commit!.method).toBe("batch");
    for (const event of [a, b, c, d]) expect(await applied(event.id)).toBe(1);
  });
});

describe("events out of order", () => {
  it("ignores an older version arriving after a newer one", async () => {
    const id = crypto.randomUUID();
    await deliver(consume, [created(id, "v1"), updated(id, "v3", 3)]);
    const { ids, result } = await deliver(consume, [updated(id, "v2", 2)]);
    expect(result).toMatchObject(allAcked(ids));
    expect(await record(id)).toEqual({ id, title: "v3", version: 3 });
  });

  it("ends in the same state whatever order the events arrive in", async () => {
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    const history = (id: string) => [created(id, "v1"), updated(id, "v2", 2), updated(id, "v3", 3)];
    for (const event of history(a)) await deliver(consume, [event]);
    for (const event of history(b).reverse()) await deliver(consume, [event]);
    expect(await record(a)).toEqual({ id: a, title: "v3", version: 3 });
    expect(await record(b)).toEqual({ id: b, title: "v3", version: 3 });
  });
});

describe("a handler that fails for now", () => {
  it("retries with growing backoff and applies the event exactly once on a later delivery", async () => {
    // Busy for the first two deliveries, however often each runs the handler.
    let busy = true;
    const flaky = createInboxConsumer({
      ...inboxOptions,
      handlers: {
        vinyl_created: (event: EventOf<"vinyl_created">, e: Env) => {
          if (busy) throw new Error("database busy");
          return handlers.vinyl_created!(event, e);
        },
      },
    });
    const event = created(crypto.randomUUID(), "Mingus Ah Um");
    for (const attempts of [1, 2]) {
      const { ids, result, retries } = await deliver(flaky, [event], attempts);
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages).toEqual([{ msgId: ids[0] }]);
      expect(retries).toEqual([{ msgId: ids[0], delaySeconds: retryDelay(attempts) }]);
      expect(await inboxHas(event.id)).toBe(false);
    }
    expect([retryDelay(1), retryDelay(2)]).toEqual([2, 4]);
    busy = false;
    const { ids, result } = await deliver(flaky, [event], 3);
    expect(result).toMatchObject(allAcked(ids));
    expect(await applied(event.id)).toBe(1);
    // A late duplicate of the retried message changes nothing.
    await deliver(flaky, [event], 4);
    expect(await applied(event.id)).toBe(1);
  });

  it("caps the backoff at five minutes", () => {
    expect(retryDelay(20)).toBe(300);
  });
});

describe("a message that can never apply", () => {
  const order = createEvent(
    "order_created",
    "orders",
    {
      id: crypto.randomUUID(),
      userId: crypto.randomUUID(),
      sellerId: crypto.randomUUID(),
      status: "created",
      cancelReason: null,
      expiresAt: "2026-01-01T00:15:00.000Z",
      vinyl: { id: crypto.randomUUID(), title: "Giant Steps", priceCents: 3000, currency: "USD" },
      version: 1,
      createdAt: "2026-01-01T00:00:00.000Z",
    },
    1,
  );

  it.each([
    ["a body that breaks the envelope contract", { id: "not-a-uuid", type: "vinyl_created", poison: crypto.randomUUID() }, "$.poison"],
    ["an event type this inbox has no handler for", order, "$.id"],
    ["an event whose handler throws PermanentError", created(crypto.randomUUID(), `${PERMANENT}bad`), "$.id"],
  ])("goes to the dead-letter queue at once, acked and not retried: %s", async (_name, body, path) => {
    const { ids, result } = await deliver(consume, [body]);
    expect(result).toMatchObject(allAcked(ids));
    const key = path === "$.poison" ? (body as { poison: string }).poison : (body as { id: string }).id;
    await vi.waitFor(async () => expect(await deadLettersWith(path, key)).toHaveLength(1));
    const [letter] = await deadLettersWith(path, key);
    expect(JSON.parse(letter!.body)).toEqual(body);
  });

  it("is recorded when it is a valid event, so its number is never asked for again", async () => {
    const poisoned = { ...created(crypto.randomUUID(), `${PERMANENT}numbered`), seq: 1_000_000 };
    await deliver(consume, [poisoned]);
    expect(await inboxHas(poisoned.id)).toBe(true);
    expect(await applied(poisoned.id)).toBe(0);
  });

  it("is retried rather than lost when the dead-letter queue refuses it", async () => {
    const brokenEnv = { ...env, DEAD_LETTERS: { send: () => Promise.reject(new Error("queue unavailable")) } as unknown as Queue };
    const { ids, result, retries } = await deliver(consume, [order], 1, brokenEnv);
    expect(result.explicitAcks).toEqual([]);
    expect(retries).toEqual([{ msgId: ids[0], delaySeconds: retryDelay(1) }]);
  });

  it("is never mistaken for a permanent failure when the handler merely throws", async () => {
    const event = created(crypto.randomUUID(), `${TRANSIENT}busy`);
    const { result } = await deliver(consume, [event]);
    expect(result.retryMessages).toHaveLength(1);
    expect(await deadLettersWith("$.id", event.id)).toHaveLength(0);
  });
});

describe("a handler whose effect publishes events", () => {
  it("commits the new event with the inbox row and relays it to its subscribers", async () => {
    const source = crypto.randomUUID();
    const follower = crypto.randomUUID();
    const follow = created(follower, "follows");
    const chained: Handlers<Env> = {
      ...handlers,
      vinyl_created: async (event, e) => {
        const effect = (await handlers.vinyl_created!(event, e)) ?? {};
        const db = database(e);
        return { statements: [...(effect.statements ?? []), ...(event.data.id === source ? [stage(db, follow)] : [])] };
      },
    };
    const consumer = createInboxConsumer({ ...inboxOptions, handlers: chained });
    const event = created(source, "leads");
    await deliver(consumer, [event]);
    // The fixture's own consumer applies the follow-up from the real orders-events queue.
    await vi.waitFor(async () => expect(await record(follower)).toMatchObject({ title: "follows" }));
    await vi.waitFor(async () => expect(await unsentRows(follow.id)).toEqual([]));
  });

  it("publishes nothing when the effect fails, so a retry does not publish twice", async () => {
    const follow = created(crypto.randomUUID(), "never");
    const consumer = createInboxConsumer({
      ...inboxOptions,
      handlers: {
        vinyl_updated: (_event, e) => {
          const db = database(e);
          return { statements: [db.run(sql`insert into nowhere values (1)`), stage(db, follow)] };
        },
      },
    });
    const event = updated(crypto.randomUUID(), "x", 2);
    const { result } = await deliver(consumer, [event]);
    expect(result.retryMessages).toHaveLength(1);
    expect(await outboxRows(follow.id)).toEqual([]);
    expect(await inboxHas(event.id)).toBe(false);
  });
});

describe("the real orders-events queue", () => {
  it("moves a malformed message to the dead-letter queue without retrying it", async () => {
    const poison = crypto.randomUUID();
    await env.ORDERS_EVENTS.send({ poison }, { contentType: "json" });
    await vi.waitFor(async () => expect(await deadLettersWith("$.poison", poison)).toHaveLength(1));
  });

  it("moves a message that keeps failing to the dead-letter queue after max_retries", async () => {
    const event = created(crypto.randomUUID(), `${TRANSIENT}forever`);
    await env.ORDERS_EVENTS.send(event, { contentType: "json" });
    // One retry after retryDelay(1) seconds, then the runtime gives up (max_retries = 1).
    await vi.waitFor(async () => expect(await deadLettersWith("$.id", event.id)).toHaveLength(1), {
      timeout: 10_000,
      interval: 200,
    });
    expect(await inboxHas(event.id)).toBe(false);
  });
});
