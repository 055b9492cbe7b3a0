import { describe, expect, it } from "vitest";
import { createEvent } from "../../../schema/events";
import {
  SHOP,
  contactUpdated,
  deliver,
  emailsFor,
  holdEnding,
  mailTo,
  orderEvent,
  orderOf,
  paymentRefunded,
  people,
  profileUpdated,
} from "./client";

/**
 * Each email an order calls for: who gets it, what it says, where its link goes. Events
 * are built as orders, payments and expiration publish them, and delivered to the real
 * queue handler; the simulated email binding sends, and the local mailbox keeps a copy.
 */

describe("an order held for its buyer", () => {
  it("emails the buyer once: the record, its price, the time the hold ends, a link to pay", async () => {
    const { buyer, seller } = await people();
    const order = orderOf(buyer, seller, { expiresAt: "2099-03-04T05:06:00.000Z" });
    const { result } = await deliver([orderEvent("order_created", order).event]);
    expect(result.retryMessages).toEqual([]);
    const [mail, ...more] = await mailTo(buyer.email);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({
      kind: "order_held",
      from: "Oscillation <notifications@oscillation.example>",
      subject: "Held for you: Kind of Blue",
    });
    expect(mail!.text).toContain("“Kind of Blue” is held for you at $25.99 until 4 Mar 2099, 05:06 UTC.");
    expect(mail!.text).toContain(`Pay now: ${SHOP}/orders/${order.id}`);
    expect(mail!.html).toContain(`href="${SHOP}/orders/${order.id}"`);
    expect(await mailTo(seller.email)).toEqual([]);
  });

  it("greets the buyer by their public name once their profile is known", async () => {
    const { buyer, seller } = await people();
    await deliver([profileUpdated(buyer.id, `ada-${buyer.id.slice(0, 8)}`, "Ada")]);
    await deliver([orderEvent("order_created", orderOf(buyer, seller)).event]);
    const [mail] = await mailTo(buyer.email);
    expect(mail!.text.startsWith("Hi Ada,\n\n")).toBe(true);
  });

  it("escapes the title in the HTML body", async () => {
    const { buyer, seller } = await people();
    const order = orderOf(buyer, seller, { vinyl: { id: crypto.randomUUID(), title: "<b>Loud</b> & Clear", priceCents: 1000, currency: "USD" } });
    await deliver([orderEvent("order_created", order).event]);
    const [mail] = await mailTo(buyer.email);
    expect(mail!.html).toContain("&lt;b&gt;Loud&lt;/b&gt; &amp; Clear");
    expect(mail!.html).not.toContain("<b>Loud</b>");
    expect(mail!.text).toContain("“<b>Loud</b> & Clear”");
  });

  it("is not sent once the hold has ended (the event came too late to be of use)", async () => {
    const { buyer, seller } = await people();
    const order = orderOf(buyer, seller, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    await deliver([orderEvent("order_created", order).event]);
    expect(await mailTo(buyer.email)).toEqual([]);
    expect((await emailsFor(buyer.id)).map((e) => e.state)).toEqual(["expired"]);
  });
});

describe("a hold about to end", () => {
  it("reminds the buyer with the time it ends and a link to pay", async () => {
    const { buyer, seller } = await people();
    const created = orderEvent("order_created", orderOf(buyer, seller, { expiresAt: "2099-03-04T05:06:00.000Z" }));
    await deliver([created.event]);
    await deliver([holdEnding(created.order)]);
    const mails = await mailTo(buyer.email);
    expect(mails.map((m) => m.kind)).toEqual(["order_held", "hold_ending"]);
    expect(mails[1]).toMatchObject({ subject: "Your hold on Kind of Blue ends soon" });
    expect(mails[1]!.text).toContain("Your hold on “Kind of Blue” ends at 4 Mar 2099, 05:06 UTC, in a few minutes.");
    expect(mails[1]!.text).toContain(`Pay now: ${SHOP}/orders/${created.order.id}`);
  });

  it("says nothing for an order already paid or cancelled", async () => {
    const { buyer, seller } = await people();
    const created = orderEvent("order_created", orderOf(buyer, seller));
    const completed = orderEvent("order_completed", created.order);
    await deliver([created.event, completed.event]);
    await deliver([holdEnding(created.order)]);
    expect((await mailTo(buyer.email)).map((m) => m.kind)).toEqual(["order_held", "receipt"]);
  });

  it("says nothing for an order paid in the same delivery, ahead of the reminder", async () => {
    const { buyer, seller } = await people();
    const created = orderEvent("order_created", orderOf(buyer, seller));
    await deliver([created.event]);
    const completed = orderEvent("order_completed", created.order);
    await deliver([completed.event, holdEnding(created.order)]);
    expect((await emailsFor(buyer.id)).map((e) => e.kind)).toEqual(["order_held", "receipt"]);
  });

  it("is retried, not dropped, while the order itself is not known yet", async () => {
    const { buyer, seller } = await people();
    const created = orderEvent("order_created", orderOf(buyer, seller));
    const first = await deliver([holdEnding(created.order)]);
    expect(first.result.retryMessages.map((m) => m.msgId)).toEqual(first.ids);
    await deliver([created.event]);
    await deliver([holdEnding(created.order)], undefined, 2);
    expect((await mailTo(buyer.email)).map((m) => m.kind)).toEqual(["order_held", "hold_ending"]);
  });
});

describe("a cancelled order", () => {
  it("tells the buyer when the hold expired, with a link back to the record", async () => {
    const { buyer, seller } = await people();
    const created = orderEvent("order_created", orderOf(buyer, seller));
    const expired = orderEvent("order_cancelled", created.order, { cancelReason: "expired" });
    await deliver([created.event]);
    await deliver([expired.event]);
    const [held, mail, ...more] = await mailTo(buyer.email);
    expect(held!.kind).toBe("order_held");
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ kind: "hold_expired", subject: "Your hold on Kind of Blue has ended" });
    expect(mail!.text).toContain(`See if it is still available: ${SHOP}/vinyls/${created.order.vinyl.id}`);
  });

  it.each(["buyer", "unavailable"] as const)("sends nothing when cancelled by %s", async (cancelReason) => {
    const { buyer, seller } = await people();
    const created = orderEvent("order_created", orderOf(buyer, seller));
    await deliver([created.event]);
    await deliver([orderEvent("order_cancelled", created.order, { cancelReason }).event]);
    expect((await mailTo(buyer.email)).map((m) => m.kind)).toEqual(["order_held"]);
    expect(await mailTo(seller.email)).toEqual([]);
  });

  it("announces nothing for a creation that arrives after the cancellation", async () => {
    const { buyer, seller } = await people();
    const created = orderEvent("order_created", orderOf(buyer, seller));
    const cancelled = orderEvent("order_cancelled", created.order, { cancelReason: "buyer" });
    await deliver([cancelled.event]);
    await deliver([created.event]);
    expect(await mailTo(buyer.email)).toEqual([]);
  });

  it("announces nothing for a creation behind the cancellation in the same delivery", async () => {
    const { buyer, seller } = await people();
    const created = orderEvent("order_created", orderOf(buyer, seller));
    const expired = orderEvent("order_cancelled", created.order, { cancelReason: "expired" });
    const { result } = await deliver([expired.event, created.event]);
    expect(result.retryMessages).toEqual([]);
    expect((await emailsFor(buyer.id)).map((e) => e.kind)).toEqual(["hold_expired"]);
    expect((await mailTo(buyer.email)).map((m) => m.kind)).toEqual(["hold_expired"]);
  });

  it("still holds for the buyer when the creation comes ahead of the cancellation in the same delivery", async () => {
    const { buyer, seller } = await people();
    const created = orderEvent("order_created", orderOf(buyer, seller));
    const cancelled = orderEvent("order_cancelled", created.order, { cancelReason: "buyer" });
    await deliver([created.event, cancelled.event]);
    expect((await emailsFor(buyer.id)).map((e) => e.kind)).toEqual(["order_held"]);
  });
});

describe("a paid order", () => {
  it("sends the buyer a receipt with price, shipping and total", async () => {
    const { buyer, seller } = await people();
    const created = orderEvent("order_created", orderOf(buyer, seller));
    const paid = orderEvent("order_completed", created.order, { shippingCents: 500, totalCents: 3099, fulfilment: "to_ship" });
    await deliver([created.event, paid.event]);
    const receipt = (await mailTo(buyer.email)).find((m) => m.kind === "receipt");
    expect(receipt).toMatchObject({ subject: "Receipt: Kind of Blue" });
    expect(receipt!.text).toContain("Record $25.99 + shipping $5.00 = total paid $30.99.");
    expect(receipt!.text).toContain(`See your order: ${SHOP}/orders/${created.order.id}`);
  });

  it("states the total alone for an order without shipping", async () => {
    const { buyer, seller } = await people();
    const paid = orderEvent("order_completed", orderOf(buyer, seller));
    await deliver([paid.event]);
    const [receipt] = await mailTo(buyer.email);
    expect(receipt!.text).toContain("Total paid: $25.99.");
  });

  it("tells the seller they sold a record, to whom, for how much, and what to ship", async () => {
    const { buyer, seller } = await people();
    const username = `digger-${buyer.id.slice(0, 8)}`;
    await deliver([profileUpdated(buyer.id, username)]);
    const paid = orderEvent("order_completed", orderOf(buyer, seller), { shippingCents: 500, totalCents: 3099, fulfilment: "to_ship" });
    await deliver([paid.event]);
    const [mail, ...more] = await mailTo(seller.email);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ kind: "sold", subject: "You sold a record: Kind of Blue" });
    expect(mail!.text).toContain(`${username} bought “Kind of Blue” for $30.99 ($5.00 of it shipping).`);
    expect(mail!.text).toContain("What to ship: “Kind of Blue”, to the address on your Sales page.");
    expect(mail!.text).toContain(`Open your sales: ${SHOP}/sales`);
    // The buyer's address is never in an event, so never in an email either.
    expect((await mailTo(buyer.email)).map((m) => m.kind)).toEqual(["receipt"]);
  });
});

describe("fulfilment", () => {
  it("tells the buyer the record was shipped, with carrier and tracking number", async () => {
    const { buyer, seller } = await people();
    const paid = orderEvent("order_completed", orderOf(buyer, seller), { fulfilment: "to_ship" });
    const shipped = orderEvent("order_updated", paid.order, {
      fulfilment: "shipped",
      shipment: { carrier: "Royal Mail", trackingNumber: "RM123456789GB", shippedAt: "2099-05-06T07:08:00.000Z" },
    });
    await deliver([paid.event]);
    await deliver([shipped.event]);
    const mail = (await mailTo(buyer.email)).find((m) => m.kind === "shipped");
    expect(mail).toMatchObject({ subject: "On its way: Kind of Blue" });
    expect(mail!.text).toContain("“Kind of Blue” was shipped on 6 May 2099, 07:08 UTC.");
    expect(mail!.text).toContain("Carrier: Royal Mail. Tracking number: RM123456789GB.");
    expect(mail!.text).toContain(`Follow your order: ${SHOP}/orders/${paid.order.id}`);
  });

  it("tells the seller the record was delivered", async () => {
    const { buyer, seller } = await people();
    const paid = orderEvent("order_completed", orderOf(buyer, seller), { fulfilment: "to_ship" });
    const shipment = { carrier: "DHL", trackingNumber: "1234", shippedAt: "2099-05-06T07:08:00.000Z" };
    const shipped = orderEvent("order_updated", paid.order, { fulfilment: "shipped", shipment });
    const delivered = orderEvent("order_updated", shipped.order, { fulfilment: "delivered", deliveredAt: "2099-05-09T10:00:00.000Z" });
    await deliver([paid.event]);
    await deliver([shipped.event]);
    await deliver([delivered.event]);
    const mail = (await mailTo(seller.email)).find((m) => m.kind === "delivered");
    expect(mail).toMatchObject({ subject: "Delivered: Kind of Blue" });
    expect(mail!.text).toContain("“Kind of Blue” was delivered on 9 May 2099, 10:00 UTC.");
    expect((await mailTo(buyer.email)).map((m) => m.kind)).toEqual(["receipt", "shipped"]);
  });

  it("tells the seller of the buyer's feedback, with its words, once however often it is delivered", async () => {
    const { buyer, seller } = await people();
    await deliver([profileUpdated(buyer.id, `fan-${buyer.id.slice(0, 8)}`, "A. Fan")]);
    const order = orderOf(buyer, seller);
    const left = createEvent(
      "feedback_left",
      "orders",
      { orderId: order.id, sellerId: seller.id, buyerId: buyer.id, title: "Kind of Blue", rating: "positive", comment: "Mint, & packed <well>", createdAt: "2099-05-10T09:00:00.000Z" },
      0,
    );
    await deliver([left]);
    await deliver([left]);
    const [mail, ...more] = await mailTo(seller.email);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ kind: "feedback", subject: "New positive feedback: Kind of Blue" });
    expect(mail!.text).toContain("A. Fan left positive feedback on “Kind of Blue”.");
    expect(mail!.text).toContain("“Mint, & packed <well>”");
    expect(mail!.html).toContain("Mint, &amp; packed &lt;well&gt;");
    expect(mail!.text).toContain(`Reply on your Sales page: ${SHOP}/sales#sale-${order.id}`);
    expect(await mailTo(buyer.email)).toEqual([]);
  });

  it("sends nothing for an address or total change before payment", async () => {
    const { buyer, seller } = await people();
    const created = orderEvent("order_created", orderOf(buyer, seller));
    const addressed = orderEvent("order_updated", created.order, { shippingCents: 500, totalCents: 3099 });
    await deliver([created.event]);
    await deliver([addressed.event]);
    expect((await mailTo(buyer.email)).map((m) => m.kind)).toEqual(["order_held"]);
  });
});

describe("a refund", () => {
  it("tells the buyer how much was refunded for which record", async () => {
    const { buyer, seller } = await people();
    const created = orderEvent("order_created", orderOf(buyer, seller));
    const expired = orderEvent("order_cancelled", created.order, { cancelReason: "expired" });
    await deliver([created.event, expired.event]);
    await deliver([paymentRefunded(created.order, 2599)]);
    const mail = (await mailTo(buyer.email)).find((m) => m.kind === "refund");
    expect(mail).toMatchObject({ subject: "Refund: Kind of Blue" });
    expect(mail!.text).toContain("We refunded $25.99 for “Kind of Blue”");
  });
});

describe("addresses", () => {
  it("keeps an email until its recipient's address arrives, then sends it there", async () => {
    const buyer = { id: crypto.randomUUID(), email: `late-${crypto.randomUUID().slice(0, 8)}@example.com` };
    const seller = { id: crypto.randomUUID() };
    await deliver([orderEvent("order_created", orderOf(buyer, seller)).event]);
    expect((await emailsFor(buyer.id)).map((e) => e.state)).toEqual(["pending"]);
    await deliver([contactUpdated(buyer.id, buyer.email)]);
    expect((await mailTo(buyer.email)).map((m) => m.kind)).toEqual(["order_held"]);
    expect((await emailsFor(buyer.id)).map((e) => e.state)).toEqual(["sent"]);
  });

  it("writes to the newest address, whatever order the address events arrive in", async () => {
    const user = { id: crypto.randomUUID() };
    const [old, current] = [`old-${user.id.slice(0, 8)}@example.com`, `new-${user.id.slice(0, 8)}@example.com`];
    await deliver([contactUpdated(user.id, current, 2)]);
    await deliver([contactUpdated(user.id, old, 1)]);
    await deliver([orderEvent("order_completed", orderOf(user, { id: crypto.randomUUID() })).event]);
    expect(await mailTo(old)).toEqual([]);
    expect((await mailTo(current)).map((m) => m.kind)).toEqual(["receipt"]);
  });
});
