import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, deliver, orderEvent, orderOf, people } from "./client";

type Message = { id: number; to: string; from: string; subject: string; text: string; html: string; kind: string; headers: Record<string, string> };

/** The local mailbox: what development and the tests read every sent email from. */
describe("the local mailbox", () => {
  it("lists the messages sent to one address, newest first, as JSON", async () => {
    const { buyer, seller } = await people();
    const created = orderEvent("order_created", orderOf(buyer, seller));
    await deliver([created.event]);
    await deliver([orderEvent("order_completed", created.order).event]);
    const res = await call(`/_dev/mailbox/messages?to=${encodeURIComponent(buyer.email)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { messages } = await res.json<{ messages: Message[] }>();
    expect(messages.map((m) => [m.to, m.kind])).toEqual([
      [buyer.email, "receipt"],
      [buyer.email, "order_held"],
    ]);
    expect(messages[0]).toMatchObject({ subject: "Receipt: Kind of Blue", headers: { "Auto-Submitted": "auto-generated" } });
  });

  it("shows the messages as a page, with the links in their text clickable, and each HTML body sandboxed", async () => {
    const { buyer, seller } = await people();
    const order = orderOf(buyer, seller, { vinyl: { id: crypto.randomUUID(), title: "<i>Escaped</i>", priceCents: 500, currency: "USD" } });
    await deliver([orderEvent("order_created", order).event]);
    const page = await call(`/_dev/mailbox?to=${encodeURIComponent(buyer.email)}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<h1>Local mailbox</h1>");
    expect(html).toContain("Held for you: &lt;i&gt;Escaped&lt;/i&gt;");
    expect(html).toContain(`<a href="https://shop.test/orders/${order.id}">https://shop.test/orders/${order.id}</a>`);
    const { messages } = await (await call(`/_dev/mailbox/messages?to=${encodeURIComponent(buyer.email)}`)).json<{ messages: Message[] }>();
    const body = await call(`/_dev/mailbox/messages/${messages[0]!.id}/html`);
    expect(body.headers.get("content-security-policy")).toMatch(/^sandbox;/);
    expect(await body.text()).toBe(messages[0]!.html);
  });

  it("answers 400 for a bad query and 404 for an unknown message", async () => {
    expect((await call("/_dev/mailbox/messages?limit=0")).status).toBe(400);
    expect((await call("/_dev/mailbox/messages/999999999/html")).status).toBe(404);
  });

  it("does not exist where capture is off (every deployed Worker): not found, and nothing is kept", async () => {
    const off = { ...env, MAILBOX_CAPTURE: "0" } as Env;
    for (const path of ["/_dev/mailbox", "/_dev/mailbox/messages"]) {
      const res = await call(path, {}, off);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ errors: [{ message: "Not found" }] });
    }
    const { buyer, seller } = await people();
    await deliver([orderEvent("order_created", orderOf(buyer, seller)).event], off);
    const { messages } = await (await call(`/_dev/mailbox/messages?to=${encodeURIComponent(buyer.email)}`)).json<{ messages: Message[] }>();
    expect(messages).toEqual([]);
  });
});
