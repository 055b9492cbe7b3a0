import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emails, inbox, inboxSources } from "../../../schema/tables/notifications";
import { ADDRESS_WAIT_MS } from "../src/mailer";
import { contactUpdated, db, deliver, emailEnv, emailsFor, orderEvent, orderOf, people, runCron, serviceError } from "./client";
import { env } from "cloudflare:workers";

describe("the cron", () => {
  it("sends the emails a consumer left unsent", async () => {
    const { buyer, seller } = await people();
    await deliver([orderEvent("order_completed", orderOf(buyer, seller)).event], emailEnv([serviceError("E_INTERNAL_SERVER_ERROR"), serviceError("E_INTERNAL_SERVER_ERROR")]).env);
    const recording = emailEnv();
    await runCron(recording.env);
    expect(recording.sent.map((m) => m.to).sort()).toEqual(expect.arrayContaining([buyer.email, seller.email]));
    expect((await emailsFor(buyer.id)).map((e) => e.state)).toEqual(["sent"]);
  });

  it("gives up an email whose recipient never got an address within a week", async () => {
    const nobody = { id: crypto.randomUUID() };
    await deliver([orderEvent("order_completed", orderOf(nobody, { id: crypto.randomUUID() })).event]);
    await runCron();
    expect((await emailsFor(nobody.id)).map((e) => e.state)).toEqual(["pending"]);
    await db.update(emails).set({ createdAt: sql`${emails.createdAt} - ${ADDRESS_WAIT_MS + 1}` }).where(eq(emails.recipientId, nobody.id));
    await runCron();
    expect(await emailsFor(nobody.id)).toMatchObject([{ state: "failed", error: "no address" }]);
    // An address arriving afterwards sends nothing old.
    const recording = emailEnv();
    await deliver([contactUpdated(nobody.id, "late@example.com")], recording.env);
    expect(recording.sent.filter((m) => m.to === "late@example.com")).toEqual([]);
  });

  it("asks orders to send again an event whose number never arrived", async () => {
    const { buyer, seller } = await people();
    const sent: unknown[] = [];
    const ORDERS_EVENTS = { send: async (body: unknown) => void sent.push(body), sendBatch: async () => {} } as unknown as Queue;
    await deliver([{ ...orderEvent("order_created", orderOf(buyer, seller)).event, seq: 3 }]);
    // Numbers 1 and 2 never came, and were missed long enough ago.
    await db.update(inbox).set({ processedAt: sql`${inbox.processedAt} - 60000` }).where(eq(inbox.source, "orders"));
    await db.update(inboxSources).set({ latestAt: sql`${inboxSources.latestAt} - 60000` }).where(eq(inboxSources.source, "orders"));
    await runCron({ ...env, ORDERS_EVENTS } as Env);
    expect(sent).toEqual([{ control: "resend", inbox: "notifications", ranges: [[1, 2]] }]);
  });
});
