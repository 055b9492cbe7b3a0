import { describe, expect, it } from "vitest";
import { api, base, eventually, signUp } from "./client";

type Message = { id: number; to: string; kind: string; subject: string; text: string; html: string; emailKey: string; sentAt: string };
type Vinyl = { id: string; title: string };

/** The local mailbox's messages for `to`, newest first. */
async function mailbox(to: string): Promise<Message[]> {
  const res = await api(`/_dev/mailbox/messages?to=${encodeURIComponent(to)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Message[] }).messages;
}

/** Waits for the first message of `kind` to `to`. */
const arrives = (to: string, kind: string, timeoutMs = 15_000) =>
  eventually(async () => (await mailbox(to)).find((m) => m.kind === kind), timeoutMs);

const linkAfter = (text: string, label: string) => new RegExp(`${label}: (\\S+)`).exec(text)?.[1];

async function list(seller: { cookie: string }, title: string, genre = "Jazz", price = 20) {
  const listed = await api("/api/vinyls", { method: "POST", cookie: seller.cookie, json: { title, genre, price } });
  expect(listed.status).toBe(201);
  return (await listed.json()) as Vinyl;
}

describe("the wantlist through the public origin", () => {
  it("saves, lists and deletes wants over the API, and shows them on the Wantlist page", async () => {
    const fan = await signUp("fan");
    const saved = await api("/api/wants", { method: "POST", cookie: fan.cookie, json: { q: "blue train", genre: "Jazz", maxPrice: 30 } });
    expect(saved.status).toBe(201);
    const want = (await saved.json()) as { id: string };
    const page = await api("/wants", { cookie: fan.cookie });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("“blue train”, Jazz, at most $30.00");
    expect((await api(`/api/wants/${want.id}`, { method: "DELETE", cookie: fan.cookie })).status).toBe(204);
    expect(await (await api("/api/wants", { cookie: fan.cookie })).json()).toEqual([]);
  });

  it("saves the browse page's search with “Save this search”, without JavaScript", async () => {
    const fan = await signUp("fan");
    const browse = await (await api("/vinyls?q=coltrane&genre=Jazz&maxPrice=25", { cookie: fan.cookie })).text();
    expect(browse).toContain("Save this search");
    const form = new URLSearchParams({ q: "coltrane", genre: "Jazz", condition: "", maxPrice: "25" });
    const res = await api("/wants", {
      method: "POST",
      cookie: fan.cookie,
      headers: { origin: base, "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/wants\?saved=/);
    expect(await (await api("/api/wants", { cookie: fan.cookie })).json()).toMatchObject([{ q: "coltrane", genre: "Jazz", maxPrice: 25 }]);
  });

  it("deletes a want with the wantlist's Delete form, a second click alike; a link deletes nothing, another method is 405", async () => {
    const fan = await signUp("fan");
    const saved = await api("/api/wants", { method: "POST", cookie: fan.cookie, json: { q: "a love supreme" } });
    const want = (await saved.json()) as { id: string };
    const form = { cookie: fan.cookie, headers: { origin: base, "content-type": "application/x-www-form-urlencoded" }, body: "", redirect: "manual" as const };
    const linked = await api(`/wants/${want.id}/delete`, { cookie: fan.cookie, redirect: "manual" });
    expect([linked.status, linked.headers.get("location")]).toEqual([303, "/wants"]);
    const put = await api(`/wants/${want.id}/delete`, { ...form, method: "PUT" });
    expect([put.status, put.headers.get("allow")]).toEqual([405, "GET, HEAD, POST"]);
    expect(await (await api("/api/wants", { cookie: fan.cookie })).json()).toMatchObject([{ id: want.id }]);
    for (const _click of [1, 2]) {
      const res = await api(`/wants/${want.id}/delete`, { ...form, method: "POST" });
      expect([res.status, res.headers.get("location")]).toEqual([303, "/wants?deleted"]);
    }
    expect(await (await api("/api/wants", { cookie: fan.cookie })).json()).toEqual([]);
  });

  it("sends an anonymous visitor to sign in first", async () => {
    const res = await api("/wants", { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/signin?next=/wants");
  });

  it("serves the local mailbox page", async () => {
    const res = await api("/_dev/mailbox");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Local mailbox");
  });
});


describe("emails through the public origin", () => {
  it("a buyer who holds a record finds “held for you” in the mailbox, with the hold's end and a link to the order", async () => {
    const seller = await signUp("seller");
    const vinyl = await list(seller, `Held ${crypto.randomUUID().slice(0, 8)}`);
    const buyer = await signUp("buyer");
    const order = await eventually(async () => {
      const res = await api("/api/orders", { method: "POST", cookie: buyer.cookie, json: { vinylId: vinyl.id } });
      return res.status === 201 ? ((await res.json()) as { id: string }) : undefined;
    });
    const held = await arrives(buyer.email, "order_held");
    expect(held.subject).toBe(`Held for you: ${vinyl.title}`);
    expect(held.text).toMatch(/until \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC\./);
    expect(linkAfter(held.text, "Pay now")).toBe(`${base}/orders/${order.id}`);
    // Nothing about it to the seller: the hold is the buyer's.
    expect(await mailbox(seller.email)).toEqual([]);
  });

  it("a saved search → another user lists a matching record → the alert is in the mailbox within seconds → its link opens the record", async () => {
    const word = `zq${crypto.randomUUID().slice(0, 8)}`;
    const fan = await signUp("fan");
    expect((await api("/api/wants", { method: "POST", cookie: fan.cookie, json: { q: word, genre: "Jazz" } })).status).toBe(201);
    const seller = await signUp("seller");
    const listedAt = Date.now();
    const vinyl = await list(seller, `The ${word} sessions`);
    const alert = await arrives(fan.email, "want_match", 10_000);
    expect(Date.parse(alert.sentAt) - listedAt).toBeLessThan(10_000);
    expect(alert.subject).toBe(`Just listed: ${vinyl.title}`);
    const link = linkAfter(alert.text, "See the record")!;
    expect(link).toBe(`${base}/vinyls/${vinyl.id}`);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(vinyl.title);
    // The fan's own matching record alerts nobody; another seller's does, once.
    const own = await list(fan, `My own ${word} record`);
    const another = await list(seller, `Another ${word} record`);
    await eventually(async () => ((await mailbox(fan.email)).some((m) => m.emailKey.endsWith(another.id)) ? true : undefined));
    const alerts = (await mailbox(fan.email)).filter((m) => m.kind === "want_match");
    expect(alerts.map((m) => m.emailKey.split(":").at(-1)).sort()).toEqual([vinyl.id, another.id].sort());
    expect(alerts.some((m) => m.emailKey.endsWith(own.id))).toBe(false);

    // Its unsubscribe link works without signing in.
    const unsubscribe = linkAfter(alert.text, "Stop alerts for this want")!;
    const ask = await fetch(unsubscribe);
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain(word);
    const done = await fetch(unsubscribe, { method: "POST", headers: { origin: base, "content-type": "application/x-www-form-urlencoded" }, body: "" });
    expect(await done.text()).toContain("you will get no more emails for this want");
    expect(await (await api("/api/wants", { cookie: fan.cookie })).json()).toEqual([]);
  });
});
