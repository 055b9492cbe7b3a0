import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { emails } from "../../../schema/tables/notifications";
import { LEASE_MS, MAX_ATTEMPTS, sendDue } from "../src/mailer";
import { contactUpdated, db, deliver, emailEnv, emailsFor, mailTo, orderEvent, orderOf, people, runCron, serviceError } from "./client";

/**
 * Each email goes out once per event, however often the event is delivered and whoever
 * tries to send it. The email row is written with the inbox record (a redelivered event
 * finds its id, a concurrent duplicate rolls back on it, and the row's key admits one row
 * in any case); sending claims the row before handing it to the binding.
 */

const quiet = () => {
  for (const level of ["log", "warn", "error"] as const) vi.spyOn(console, level).mockImplementation(() => {});
};

/** A paid order: a receipt for the buyer and a "you sold" for the seller. */
async function paidOrder() {
  const { buyer, seller } = await people();
  return { buyer, seller, ...orderEvent("order_completed", orderOf(buyer, seller)) };
}

describe("an event delivered more than once", () => {
  it("twice in one batch: each email is sent once", async () => {
    const { buyer, seller, event } = await paidOrder();
    const { result } = await deliver([event, event]);
    expect(result.retryMessages).toEqual([]);
    expect((await mailTo(buyer.email)).map((m) => m.kind)).toEqual(["receipt"]);
    expect((await mailTo(seller.email)).map((m) => m.kind)).toEqual(["sold"]);
  });

  it("again later, and again after the emails went out: nothing more is sent", async () => {
    const { buyer, event } = await paidOrder();
    const recording = emailEnv();
    for (let i = 0; i < 3; i++) await deliver([event], recording.env, i + 1);
    expect(recording.sent.map((m) => m.subject)).toEqual(["Receipt: Kind of Blue", "You sold a record: Kind of Blue"]);
    expect((await emailsFor(buyer.id)).map((e) => [e.kind, e.state, e.attempts])).toEqual([["receipt", "sent", 1]]);
  });

  it("by two consumers at the same moment: one writes the emails, one sends each", async () => {
    const { event } = await paidOrder();
    const recording = emailEnv();
    const results = await Promise.all([deliver([event], recording.env), deliver([event], recording.env), deliver([event], recording.env)]);
    for (const { result } of results) expect(result.retryMessages).toEqual([]);
    expect(recording.sent.map((m) => m.subject).sort()).toEqual(["Receipt: Kind of Blue", "You sold a record: Kind of Blue"]);
  });

  it("as its resent copy (messaging's gap repair sends the same event again): nothing more is sent", async () => {
    const { buyer, event } = await paidOrder();
    await deliver([{ ...event, seq: 7 }]);
    await deliver([{ ...event, seq: 7 }], undefined, 2);
    expect((await mailTo(buyer.email)).map((m) => m.kind)).toEqual(["receipt"]);
  });
});

describe("senders racing for the same emails", () => {
  quiet();

  it("send each email once when several runs pick them up together", async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => people()));
    // Written while the service refuses every send, so they wait, pending.
    const refusing = emailEnv(Array.from({ length: 100 }, () => serviceError("E_INTERNAL_SERVER_ERROR")));
    for (const { buyer, seller } of users) await deliver([orderEvent("order_completed", orderOf(buyer, seller)).event], refusing.env);
    const recording = emailEnv();
    await Promise.all([sendDue(recording.env), sendDue(recording.env), sendDue(recording.env)]);
    const recipients = recording.sent.map((m) => m.to as string).sort();
    expect(recipients).toEqual(users.flatMap(({ buyer, seller }) => [buyer.email, seller.email]).sort());
  });
});

describe("a sender that dies", () => {
  quiet();

  it("after claiming, before the binding took the email: the claim lapses after the lease and the email goes out once", async () => {
    const { buyer, event } = await paidOrder();
    await deliver([event], emailEnv(Array.from({ length: 4 }, () => serviceError("E_INTERNAL_SERVER_ERROR"))).env);
    const [receipt] = await emailsFor(buyer.id);
    // What a sender leaves when it dies right after claiming.
    await db.update(emails).set({ state: "sending", claimedAt: Date.now() }).where(eq(emails.key, receipt!.key));
    const recording = emailEnv();
    await runCron(recording.env);
    expect(recording.sent.filter((m) => m.to === buyer.email)).toEqual([]);
    await db.update(emails).set({ claimedAt: sql`${emails.claimedAt} - ${LEASE_MS + 1}` }).where(eq(emails.key, receipt!.key));
    await runCron(recording.env);
    await runCron(recording.env);
    expect(recording.sent.filter((m) => m.to === buyer.email).map((m) => m.subject)).toEqual(["Receipt: Kind of Blue"]);
    expect((await emailsFor(buyer.id))[0]).toMatchObject({ state: "sent" });
  });

  it("after the binding took the email, before recording it: not sent again within the lease; after it, sent again (the one window that can send twice)", async () => {
    const { buyer, event } = await paidOrder();
    await deliver([event], emailEnv(Array.from({ length: 4 }, () => serviceError("E_INTERNAL_SERVER_ERROR"))).env);
    const recording = emailEnv();
    // The record of the send fails: D1 refuses the batch that marks it sent.
    const failingBatch = { ...recording.env, NOTIFICATIONS_DB: withFailingBatch(env.NOTIFICATIONS_DB) } as Env;
    await sendDue(failingBatch);
    expect(recording.sent.filter((m) => m.to === buyer.email)).toHaveLength(1);
    expect((await emailsFor(buyer.id))[0]).toMatchObject({ state: "sending" });
    await sendDue(recording.env);
    expect(recording.sent.filter((m) => m.to === buyer.email)).toHaveLength(1);
    const [receipt] = await emailsFor(buyer.id);
    await db.update(emails).set({ claimedAt: sql`${emails.claimedAt} - ${LEASE_MS + 1}` }).where(eq(emails.key, receipt!.key));
    await sendDue(recording.env);
    expect(recording.sent.filter((m) => m.to === buyer.email)).toHaveLength(2);
  });
});

/** A D1 binding whose `batch()` always fails, as a write lost with the Worker would. */
function withFailingBatch(d1: D1Database): D1Database {
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === "batch") return () => Promise.reject(new Error("D1_ERROR: connection lost"));
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("a send the Email Service refuses", () => {
  quiet();

  it("for a while: the email stays pending and goes out once on a later run", async () => {
    const { buyer, event } = await paidOrder();
    const flaky = emailEnv([serviceError("E_INTERNAL_SERVER_ERROR"), serviceError("E_INTERNAL_SERVER_ERROR")]);
    await deliver([event], flaky.env);
    expect((await emailsFor(buyer.id))[0]).toMatchObject({ state: "pending", attempts: 1 });
    await runCron(flaky.env);
    await runCron(flaky.env);
    expect(flaky.sent.filter((m) => m.to === buyer.email)).toHaveLength(1);
    expect((await emailsFor(buyer.id))[0]).toMatchObject({ state: "sent" });
  });

  it("for good (a suppressed recipient): the email is marked failed and never tried again", async () => {
    const { buyer, event } = await paidOrder();
    const refusing = emailEnv([serviceError("E_RECIPIENT_SUPPRESSED")]);
    await deliver([event], refusing.env);
    await runCron(refusing.env);
    expect((await emailsFor(buyer.id))[0]).toMatchObject({ state: "failed", error: "E_RECIPIENT_SUPPRESSED", attempts: 1 });
    expect(refusing.sent.filter((m) => m.to === buyer.email)).toEqual([]);
  });

  it(`${MAX_ATTEMPTS} times: the email is given up`, async () => {
    const { buyer, event } = await paidOrder();
    const down = emailEnv(Array.from({ length: 100 }, () => serviceError("E_INTERNAL_SERVER_ERROR")));
    await deliver([event], down.env);
    for (let i = 1; i < MAX_ATTEMPTS; i++) await runCron(down.env);
    expect((await emailsFor(buyer.id))[0]).toMatchObject({ state: "failed", attempts: MAX_ATTEMPTS });
  });

  it("with a rate limit: the run stops sending and leaves the rest for the next", async () => {
    const users = await Promise.all(Array.from({ length: 3 }, () => people()));
    const refusing = emailEnv(Array.from({ length: 100 }, () => serviceError("E_INTERNAL_SERVER_ERROR")));
    for (const { buyer, seller } of users) await deliver([orderEvent("order_completed", orderOf(buyer, seller)).event], refusing.env);
    const limited = emailEnv([serviceError("E_RATE_LIMIT_EXCEEDED")]);
    await sendDue(limited.env);
    expect(limited.calls()).toBeLessThanOrEqual(5);
    await sendDue(limited.env);
    const recipients = users.flatMap(({ buyer, seller }) => [buyer.email, seller.email]);
    expect(limited.sent.map((m) => m.to as string).filter((to) => recipients.includes(to)).sort()).toEqual([...recipients].sort());
  });
});

describe("the address an email waits for", () => {
  it("arriving twice sends the waiting email once", async () => {
    const buyer = { id: crypto.randomUUID(), email: `twice-${crypto.randomUUID().slice(0, 8)}@example.com` };
    await deliver([orderEvent("order_completed", orderOf(buyer, { id: crypto.randomUUID() })).event]);
    const contact = contactUpdated(buyer.id, buyer.email);
    await Promise.all([deliver([contact]), deliver([contact])]);
    expect((await mailTo(buyer.email)).map((m) => m.kind)).toEqual(["receipt"]);
  });
});
