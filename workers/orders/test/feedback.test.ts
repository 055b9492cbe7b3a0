import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { eventEnvelope } from "../../../schema/events";
import { outbox } from "../../../schema/tables/messaging";
import { feedback as feedbackTable } from "../../../schema/tables/orders";
import {
  confirmDelivery,
  db,
  expectError,
  get,
  newUser,
  orderOf,
  paidSale,
  profileOf,
  putAddress,
  reply,
  leaveFeedback,
  sale,
  ship,
  username,
  type OrderJson,
  type User,
} from "./client";

/** A sale the seller shipped: the buyer may now leave feedback. */
async function shippedSale(seller?: User) {
  const paid = await paidSale(seller ? { userId: seller.id } : {});
  const by = seller ?? paid.seller;
  expect((await ship(by, paid.order.id)).status).toBe(200);
  return { ...paid, seller: by };
}

type SellerFeedback = {
  summary: { positive: number; neutral: number; negative: number; total: number; percentPositive: number | null };
  feedback: {
    rating: string;
    comment: string | null;
    createdAt: string;
    reply: string | null;
    repliedAt: string | null;
    buyer: { username: string; displayName: string | null } | null;
    vinyl: { id: string; title: string };
  }[];
};

describe("POST /api/orders/:id/feedback", () => {
  it("takes the buyer's rating and comment once the order shipped: 201 with the order", async () => {
    const { buyer, order } = await shippedSale();
    const res = await leaveFeedback(buyer, order.id, { rating: "positive", comment: "  Exactly as graded  " });
    expect(res.status).toBe(201);
    const body = await res.json<OrderJson>();
    expect(body.feedback).toEqual({ rating: "positive", comment: "Exactly as graded", createdAt: expect.any(String), reply: null, repliedAt: null });
    expect(await (await get(`/api/orders/${order.id}`, buyer)).json()).toEqual(body);
  });

  it("takes feedback after delivery too, and without a comment", async () => {
    const { buyer, order } = await shippedSale();
    await confirmDelivery(buyer, order.id);
    const res = await leaveFeedback(buyer, order.id, { rating: "neutral" });
    expect(res.status).toBe(201);
    expect((await res.json<OrderJson>()).feedback).toMatchObject({ rating: "neutral", comment: null });
  });

  it("answers 409 Feedback already left the second time, keeping the first", async () => {
    const { buyer, order } = await shippedSale();
    await leaveFeedback(buyer, order.id, { rating: "negative", comment: "Scratched" });
    await expectError(await leaveFeedback(buyer, order.id, { rating: "positive" }), 409, "Feedback already left");
    const [row] = await db.select().from(feedbackTable).where(eq(feedbackTable.orderId, order.id));
    expect(row).toMatchObject({ rating: "negative", comment: "Scratched" });
  });

  it("tells the seller through notifications (feedback_left), once, and only for feedback it took", async () => {
    const { buyer, seller, order } = await shippedSale();
    await expectError(await leaveFeedback(seller, order.id, { rating: "negative" }), 403);
    expect((await leaveFeedback(buyer, order.id, { rating: "positive", comment: "Lovely copy" })).status).toBe(201);
    await expectError(await leaveFeedback(buyer, order.id, { rating: "negative" }), 409, "Feedback already left");
    const rows = (await db.select().from(outbox).where(eq(outbox.type, "feedback_left"))).filter((r) => r.body.includes(order.id));
    expect(rows.map((r) => r.destination)).toEqual(["notifications"]);
    expect(eventEnvelope.parse(JSON.parse(rows[0]!.body))).toMatchObject({
      type: "feedback_left",
      source: "orders",
      version: 0,
      data: { orderId: order.id, sellerId: seller.id, buyerId: buyer.id, title: order.vinyl.title, rating: "positive", comment: "Lovely copy" },
    });
  });

  it("answers 409 before the order has shipped, paid or not", async () => {
    const { buyer, order } = await paidSale();
    await expectError(await leaveFeedback(buyer, order.id), 409, "Feedback can be left once the order has shipped");
    const other = await sale();
    const unpaid = await orderOf(other.buyer, other.vinyl.id);
    await putAddress(other.buyer, unpaid.id);
    await expectError(await leaveFeedback(other.buyer, unpaid.id), 409);
  });

  it("answers 403 to the seller and to strangers", async () => {
    const { seller, order } = await shippedSale();
    await expectError(await leaveFeedback(seller, order.id), 403, "Only the buyer can do this");
    await expectError(await leaveFeedback(await newUser(), order.id), 403);
  });

  it.each([
    ["rating missing", { comment: "x" }, "rating", "Rating is required"],
    ["rating unknown", { rating: "excellent" }, "rating", "Rating must be one of: positive, neutral, negative"],
    ["comment too long", { rating: "positive", comment: "x".repeat(501) }, "comment", "Comment must be at most 500 characters"],
    ["comment not text", { rating: "positive", comment: 5 }, "comment", "Comment must be text"],
  ])("answers 400 for %s", async (_name, body, field, message) => {
    const { buyer, order } = await shippedSale();
    expect((await expectError(await leaveFeedback(buyer, order.id, body), 400)).errors).toEqual([{ field, message }]);
  });

  it("takes a comment of exactly 500 characters, emoji counted as one", async () => {
    const { buyer, order } = await shippedSale();
    expect((await leaveFeedback(buyer, order.id, { rating: "positive", comment: "🎵".repeat(500) })).status).toBe(201);
  });

  it("answers 401 signed out, 404 for unknown and malformed ids", async () => {
    const { buyer, order } = await shippedSale();
    await expectError(await leaveFeedback({ ...buyer, cookie: "" }, order.id), 401);
    await expectError(await leaveFeedback(buyer, crypto.randomUUID()), 404, "Order not found");
    await expectError(await leaveFeedback(buyer, "1"), 404);
  });
});

describe("POST /api/orders/:id/feedback/reply", () => {
  it("takes the seller's reply once: 200 with the order, for the buyer to read too", async () => {
    const { seller, buyer, order } = await shippedSale();
    await leaveFeedback(buyer, order.id);
    const res = await reply(seller, order.id, { reply: " Thanks for buying! " });
    expect(res.status).toBe(200);
    const body = await res.json<OrderJson>();
    expect(body.feedback).toMatchObject({ rating: "positive", reply: "Thanks for buying!", repliedAt: expect.any(String) });
    expect((await (await get(`/api/orders/${order.id}`, buyer)).json<OrderJson>()).feedback).toEqual(body.feedback);
    await expectError(await reply(seller, order.id, { reply: "Again" }), 409, "Already replied");
  });

  it("answers 409 while there is no feedback", async () => {
    const { seller, order } = await shippedSale();
    await expectError(await reply(seller, order.id), 409, "There is no feedback to reply to yet");
  });

  it("answers 403 to the buyer and strangers, 400 for an empty or long reply, 404, 401", async () => {
    const { seller, buyer, order } = await shippedSale();
    await leaveFeedback(buyer, order.id);
    await expectError(await reply(buyer, order.id), 403, "Only the seller can do this");
    await expectError(await reply(await newUser(), order.id), 403);
    expect((await expectError(await reply(seller, order.id, { reply: " " }), 400)).errors).toEqual([{ field: "reply", message: "Reply is required" }]);
    await expectError(await reply(seller, order.id, { reply: "x".repeat(501) }), 400);
    await expectError(await reply(seller, order.id, {}), 400);
    await expectError(await reply(seller, crypto.randomUUID()), 404);
    await expectError(await reply({ ...seller, cookie: "" }, order.id), 401);
  });
});

describe("GET /api/sellers/:username/feedback", () => {
  it("answers the summary and the feedback newest first, with buyers' names and the records", async () => {
    const seller = await newUser();
    const name = username("seller");
    await profileOf(seller, name, "The Seller");
    const given: { rating: string; order: OrderJson; buyer: User }[] = [];
    for (const rating of ["positive", "positive", "neutral", "negative", "positive"]) {
      const { buyer, order } = await shippedSale(seller);
      expect((await leaveFeedback(buyer, order.id, { rating, comment: `${rating} ${given.length}` })).status).toBe(201);
      given.push({ rating, order, buyer });
    }
    const named = given[0]!.buyer;
    const buyerName = username("buyer");
    await profileOf(named, buyerName, null);
    await reply(seller, given[1]!.order.id, { reply: "Cheers" });
    // Another seller's feedback is not this one's.
    const other = await shippedSale();
    await leaveFeedback(other.buyer, other.order.id, { rating: "negative" });

    const res = await get(`/api/sellers/${name.toUpperCase()}/feedback`);
    expect(res.status).toBe(200);
    expect(res.headers.get("link")).toBeNull();
    const body = await res.json<SellerFeedback>();
    expect(body.summary).toEqual({ positive: 3, neutral: 1, negative: 1, total: 5, percentPositive: 60 });
    expect(body.feedback.map((f) => f.comment)).toEqual(["positive 4", "negative 3", "neutral 2", "positive 1", "positive 0"]);
    expect(body.feedback[3]).toMatchObject({ reply: "Cheers", repliedAt: expect.any(String), buyer: null });
    expect(body.feedback[4]).toEqual({
      rating: "positive",
      comment: "positive 0",
      createdAt: expect.any(String),
      reply: null,
      repliedAt: null,
      buyer: { username: buyerName, displayName: null },
      vinyl: { id: given[0]!.order.vinyl.id, title: "Kind of Blue" },
    });
    // Nothing private: no order ids, no addresses.
    expect(JSON.stringify(body)).not.toMatch(/Groove Street|orderId|Lovelace/);
  });

  it("pages with limit and the Link header's cursor, and the summary counts everything", async () => {
    const seller = await newUser();
    const name = username("pager");
    await profileOf(seller, name);
    for (let i = 0; i < 5; i++) {
      const { buyer, order } = await shippedSale(seller);
      await leaveFeedback(buyer, order.id, { rating: i === 0 ? "negative" : "positive", comment: `#${i}` });
    }
    const seen: string[] = [];
    let next: string | null = `/api/sellers/${name}/feedback?limit=2`;
    let pages = 0;
    while (next) {
      const res = await get(next);
      expect(res.status).toBe(200);
      const body = await res.json<SellerFeedback>();
      expect(body.summary).toMatchObject({ total: 5, positive: 4, negative: 1, percentPositive: 80 });
      seen.push(...body.feedback.map((f) => f.comment!));
      next = /^<([^>]+)>; rel="next"$/.exec(res.headers.get("link") ?? "")?.[1] ?? null;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(["#4", "#3", "#2", "#1", "#0"]);
  });

  it("answers an empty summary for a seller without feedback", async () => {
    const seller = await newUser();
    const name = username("quiet");
    await profileOf(seller, name);
    expect(await (await get(`/api/sellers/${name}/feedback`)).json()).toEqual({
      summary: { positive: 0, neutral: 0, negative: 0, total: 0, percentPositive: null },
      feedback: [],
    });
  });

  it("answers 404 for an unknown or malformed username, 400 for a bad limit or cursor", async () => {
    await expectError(await get(`/api/sellers/${username("nobody")}/feedback`), 404, "Seller not found");
    await expectError(await get("/api/sellers/a/feedback"), 404, "Seller not found");
    await expectError(await get("/api/sellers/%F0%9F%8E%B5%20x/feedback"), 404);
    const seller = await newUser();
    const name = username("strict");
    await profileOf(seller, name);
    for (const limit of ["0", "101", "ten", "-1", "1.5"]) {
      const error = await expectError(await get(`/api/sellers/${name}/feedback?limit=${limit}`), 400);
      expect(error.errors[0]!.field).toBe("limit");
    }
    const cursor = await expectError(await get(`/api/sellers/${name}/feedback?cursor=garbage`), 400);
    expect(cursor.errors).toEqual([{ field: "cursor", message: "Cursor is invalid for this list" }]);
    expect((await get(`/api/sellers/${name}/feedback?limit=&cursor=`)).status).toBe(200);
  });
});
