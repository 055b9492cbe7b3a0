import { createRoute } from "@hono/zod-openapi";
import { and, eq, isNull, sql } from "drizzle-orm";
import { feedback as fb, fulfilments as f, orders as t } from "../../../../schema/tables/orders";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { commit, publisherFor, stageFromRow } from "../../../shared/src/messaging";
import { errorContent, jsonBody, jsonContent } from "../../../shared/src/openapi";
import { requireAuth, requireUser } from "../../../shared/src/session";
import { database } from "../db";
import { IdParam, orderId, refuseStranger } from "../order-access";
import { FeedbackInput, ReplyInput } from "../order-input";
import { Order, selectOrders, toOrderJson } from "../order-json";

/** `POST /api/orders/:id/feedback` and `/feedback/reply`: the buyer's word on a sale, once, and the seller's answer, once. */
export const feedback = createRouter<ServiceEnv<Env>>();

feedback.openapi(
  createRoute({
    method: "post",
    path: "/{id}/feedback",
    summary: "Leave feedback on the seller for a shipped order (the buyer, once)",
    middleware: [requireAuth()] as const,
    request: { params: IdParam, ...jsonBody(FeedbackInput) },
    responses: {
      201: jsonContent(Order, "The order with its feedback"),
      400: errorContent("Rating not positive, neutral or negative, or comment over 500 characters"),
      401: errorContent("Not signed in"),
      403: errorContent("Not the order's buyer"),
      404: errorContent("No such order"),
      409: errorContent("Not shipped yet, or `Feedback already left`"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const { rating, comment } = c.req.valid("json");
    const id = orderId(c.req.valid("param").id);
    const db = database(c.env);
    const shipped = sql`exists (select 1 from ${f} where ${f.orderId} = ${t.id} and ${f.status} in ('shipped', 'delivered'))`;
    // The insert decides: only the buyer of a shipped order, and only once (the key). The
    // seller hears of it (`feedback_left`, staged only if this very insert wrote the row).
    const [left, , [view]] = await commit(
      db,
      [
        db
          .insert(fb)
          .select(
            // Values in the table's column order, which insert … select requires.
            sql`select ${t.id}, ${t.sellerId}, ${t.userId}, ${t.vinylId}, ${t.vinylTitle}, ${rating}, ${comment}, ${new Date().toISOString()},
              null, null from ${t} where ${and(eq(t.id, id), eq(t.userId, user.id), shipped)}`,
          )
          .onConflictDoNothing()
          .returning({ orderId: fb.orderId }),
        stageFromRow(db, "feedback_left", {
          source: "orders",
          from: fb,
          where: sql`${fb.orderId} = ${id} and changes() = 1`,
          data: sql`json_object('orderId', ${fb.orderId}, 'sellerId', ${fb.sellerId}, 'buyerId', ${fb.buyerId}, 'title', ${fb.vinylTitle},
            'rating', ${fb.rating}, 'comment', ${fb.comment}, 'createdAt', ${fb.createdAt})`,
          version: sql`0`,
        }),
        selectOrders(db).where(eq(t.id, id)).limit(1),
      ],
      publisherFor(c.env, c.executionCtx),
    );
    if (left.length > 0) return c.json(toOrderJson(view!, user.id), 201);
    const { feedback: given } = refuseStranger(view, user.id, "buyer");
    if (given.rating !== null) throw new ApiError(409, "Feedback already left");
    throw new ApiError(409, "Feedback can be left once the order has shipped");
  },
);

feedback.openapi(
  createRoute({
    method: "post",
    path: "/{id}/feedback/reply",
    summary: "Reply to the buyer's feedback (the seller, once)",
    middleware: [requireAuth()] as const,
    request: { params: IdParam, ...jsonBody(ReplyInput) },
    responses: {
      200: jsonContent(Order, "The order with the feedback and its reply"),
      400: errorContent("Reply missing or over 500 characters"),
      401: errorContent("Not signed in"),
      403: errorContent("Not the order's seller"),
      404: errorContent("No such order"),
      409: errorContent("No feedback yet, or `Already replied`"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const { reply } = c.req.valid("json");
    const id = orderId(c.req.valid("param").id);
    const db = database(c.env);
    const [replied, [view]] = await db.batch([
      db
        .update(fb)
        .set({ reply, repliedAt: new Date().toISOString() })
        .where(and(eq(fb.orderId, id), eq(fb.sellerId, user.id), isNull(fb.reply)))
        .returning({ orderId: fb.orderId }),
      selectOrders(db).where(eq(t.id, id)).limit(1),
    ]);
    if (replied.length > 0) return c.json(toOrderJson(view!, user.id), 200);
    const { feedback: given } = refuseStranger(view, user.id, "seller");
    if (given.rating === null) throw new ApiError(409, "There is no feedback to reply to yet");
    throw new ApiError(409, "Already replied");
  },
);
