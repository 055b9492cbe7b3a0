import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { eventEnvelope, type ControlMessage } from "../../../schema/events";
import worker from "../src/index";
import { callWith, eventsFor, json, outboxEvents, recordingQueue, type UserBody } from "./client";

/** Recording producers for every inbox auth sends to, and the dead-letter queue. */
function recordingEnv() {
  const queues = { catalog: recordingQueue(), orders: recordingQueue(), payments: recordingQueue(), notifications: recordingQueue(), dead: recordingQueue() };
  const bindings: Partial<Env> = {
    CATALOG_EVENTS: queues.catalog.queue,
    ORDERS_EVENTS: queues.orders.queue,
    PAYMENTS_EVENTS: queues.payments.queue,
    NOTIFICATIONS_EVENTS: queues.notifications.queue,
    DEAD_LETTERS: queues.dead.queue,
  };
  return { ...queues, bindings };
}

/** A producer that refuses every message: relays fail, and their rows stay unsent until a sweep. */
const downQueue = {
  send: async () => {
    throw new Error("queue unavailable");
  },
  sendBatch: async () => {
    throw new Error("queue unavailable");
  },
} as unknown as Queue;
const allDown: Partial<Env> = { CATALOG_EVENTS: downQueue, ORDERS_EVENTS: downQueue, PAYMENTS_EVENTS: downQueue, NOTIFICATIONS_EVENTS: downQueue };

const signupWith = (bindings: Partial<Env>, email: string) =>
  callWith(bindings, "/api/users/signup", json("POST", "/api/users/signup", { email, password: "correct horse battery" }));

const userOf = (event: { data: unknown }) => (event.data as { userId?: string }).userId;

async function deliver(bodies: unknown[], bindings: Partial<Env>) {
  const messages = bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body }));
  const batch = createMessageBatch("auth-events", messages);
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...bindings } as Env, ctx);
  return getQueueResult(batch, ctx);
}

async function cron(bindings: Partial<Env>) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "* * * * *" }), { ...env, ...bindings } as Env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("auth's outbox", () => {
  it("relays a sign-up's profile_updated to catalog and orders after the response, numbered per inbox", async () => {
    const queues = recordingEnv();
    const res = await signupWith(queues.bindings, "relayed@example.com");
    const { id } = await res.json<UserBody>();
    for (const inbox of [queues.catalog, queues.orders]) {
      const [event] = inbox.sent.filter((e) => e.type === "profile_updated" && (e.data as { userId: string }).userId === id);
      expect(eventEnvelope.parse(event)).toMatchObject({ type: "profile_updated", version: 0, seq: expect.any(Number) });
    }
    expect(queues.payments.sent.filter((e) => e.type === "profile_updated")).toEqual([]);
    expect((await outboxEvents("profile_updated")).filter((r) => userOf(r.event) === id).every((r) => r.sent_at !== null)).toBe(true);
  });

  it("relays a sign-up's address to notifications alone (contact_updated)", async () => {
    const queues = recordingEnv();
    const { id } = await (await signupWith(queues.bindings, "reachable@example.com")).json<UserBody>();
    const [contact] = queues.notifications.sent.filter((e) => e.type === "contact_updated" && userOf(e) === id);
    expect(eventEnvelope.parse(contact)).toMatchObject({ type: "contact_updated", version: 0, data: { userId: id, email: "reachable@example.com" } });
    for (const inbox of [queues.catalog, queues.orders, queues.payments]) expect(inbox.sent.filter((e) => e.type === "contact_updated")).toEqual([]);
  });

  it("keeps the rows a relay could not send, and the cron sweep sends them", async () => {
    const res = await signupWith(allDown, "swept@example.com");
    const { id } = await res.json<UserBody>();
    const unsent = async () => (await outboxEvents("profile_updated")).filter((r) => userOf(r.event) === id && r.sent_at === null);
    // One row per inbox of profile_updated: catalog, orders and notifications.
    expect(await unsent()).toHaveLength(3);
    // The sweep leaves rows younger than ten seconds to a relay that may still be sending them.
    await env.AUTH_DB.prepare("UPDATE outbox SET created_at = created_at - 60000 WHERE sent_at IS NULL").run();
    const queues = recordingEnv();
    await cron(queues.bindings);
    expect(await unsent()).toEqual([]);
    expect(queues.catalog.sent.map((e) => e.data)).toContainEqual(expect.objectContaining({ userId: id }));
    expect(queues.orders.sent.map((e) => e.data)).toContainEqual(expect.objectContaining({ userId: id }));
    expect(queues.notifications.sent.map((e) => e.data)).toContainEqual({ userId: id, email: "swept@example.com" });
  });

  it("tells each inbox it sends to the highest number it has given it, from the cron", async () => {
    const queues = recordingEnv();
    await signupWith(queues.bindings, "heartbeat@example.com");
    const heartbeats = recordingEnv();
    await cron(heartbeats.bindings);
    for (const inbox of [heartbeats.catalog, heartbeats.orders]) {
      expect(inbox.controls).toContainEqual({ control: "heartbeat", source: "auth", seq: expect.any(Number) });
    }
  });

  it("sends numbered events again when an inbox asks on auth-events", async () => {
    const queues = recordingEnv();
    const res = await signupWith(queues.bindings, "resent@example.com");
    const { id } = await res.json<UserBody>();
    const [original] = queues.orders.sent.filter((e) => (e.data as { userId: string }).userId === id);
    const again = recordingEnv();
    const request: ControlMessage = { control: "resend", inbox: "orders", ranges: [[original!.seq!, original!.seq!]] };
    const result = await deliver([request], again.bindings);
    expect(result.retryMessages).toEqual([]);
    expect(again.orders.sent).toEqual([original]);
    expect(again.catalog.sent).toEqual([]);
  });

  it("sends a message it cannot read to auth-events-dlq", async () => {
    const queues = recordingEnv();
    const result = await deliver([{ nonsense: true }], queues.bindings);
    expect(result.retryMessages).toEqual([]);
    expect(queues.dead.sent).toEqual([{ nonsense: true }]);
  });
});

describe("the cron", () => {
  it("forgets sessions whose tokens have expired, and keeps the rest", async () => {
    const res = await signupWith(recordingEnv().bindings, "pruned@example.com");
    const { id } = await res.json<UserBody>();
    await env.AUTH_DB.prepare("INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
      .bind(crypto.randomUUID(), id, "2020-01-01T00:00:00.000Z", "2020-01-08T00:00:00.000Z")
      .run();
    const count = () => env.AUTH_DB.prepare("SELECT count(*) AS n FROM sessions WHERE user_id = ?").bind(id).first<{ n: number }>();
    expect((await count())!.n).toBe(2);
    await cron(recordingEnv().bindings);
    expect((await count())!.n).toBe(1);
    expect(await eventsFor("session_revoked", id)).toEqual([]);
  });
});
