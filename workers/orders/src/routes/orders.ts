import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, sql } from "drizzle-orm";
import { orders as t, vinyls as v } from "../../../../schema/tables/orders";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { errorContent, jsonBody, jsonContent } from "../../../shared/src/openapi";
import { commit, publisherFor } from "../../../shared/src/messaging";
import { confirmSession, requireAuth, requireSessionToken, requireUser, unconfirmedUser } from "../../../shared/src/session";
import { database, holdSeconds, MAX_UNPAID_HOLDS, UNPAID } from "../db";
import { answerWithoutWriting } from "../early-answer";
import { EXAMPLE_ID, IdParam, orderNotFound, UUID } from "../order-access";
import { cancelled, moveTo, stageOrderEvent } from "../order-events";
import { buyerStanding, ORDERS_PER_MINUTE, refuseOverLimits, windowStart, withinLimits } from "../order-limit";
import { findOrder, Order, selectOrders, toOrderJson } from "../order-json";

const OrderCreate = z
  .object(
    {
      vinylId: z
        .string({ error: (issue) => (issue.input === undefined ? "vinylId is required" : "vinylId must be a string") })
        .trim()
        .min(1, { error: "vinylId is required" })
        .openapi({ example: EXAMPLE_ID }),
    },
    { error: "Request body must be a JSON object" },
  )
  .openapi("OrderCreate");

export const orders = createRouter<ServiceEnv<Env>>();

orders.openapi(
  createRoute({
    method: "post",
    path: "/",
    summary: "Reserve a record: an order that holds it until paid or the hold ends",
    // The revocation lookup rides in the early read's round trip (answerWithoutWriting).
    middleware: [requireSessionToken()] as const,
    request: jsonBody(OrderCreate),
    responses: {
      201: jsonContent(Order, "Ordered: status created, expiresAt = now + the hold"),
      200: jsonContent(Order, "The caller already holds a live order for this record: that order"),
      400: errorContent("vinylId missing"),
      401: errorContent("Not signed in"),
      403: errorContent("`You cannot buy your own vinyl`"),
      404: errorContent("Unknown record (also one listed a moment ago, until its event arrives)"),
      409: errorContent(
        "`Vinyl is not available`: held by another order, sold or withdrawn; or the buyer already has " +
          `${MAX_UNPAID_HOLDS} unpaid holds`,
      ),
      429: {
        ...errorContent(`This buyer created ${ORDERS_PER_MINUTE} orders within the last minute, whatever became of them`),
        headers: { "Retry-After": { description: "Seconds until this buyer may order again", schema: { type: "integer" } } },
      },
    },
  }),
  async (c) => {
    const token = unconfirmedUser(c);
    const { vinylId } = c.req.valid("json");
    const db = database(c.env);
    if (!UUID.test(vinylId)) {
      confirmSession(c, await c.var.session!.isRevoked());
      throw new ApiError(404, "Vinyl not found");
    }
    // Most attempts at a record in demand lose: one read answers them before any write.
    const now = new Date();
    const setHeader = (name: string, value: string) => c.header(name, value);
    const held = await answerWithoutWriting(db, vinylId, {
      userId: token.id,
      sessionId: token.sessionId,
      confirm: (revoked) => confirmSession(c, revoked),
      now,
      setHeader,
    });
    const user = requireUser(c);
    if (held) return c.json(toOrderJson((await findOrder(db, eq(t.id, held.id)))!, user.id), 200);
    const id = crypto.randomUUID();
    const stamp = now.toISOString();
    const since = windowStart(now);
    const expiresAt = new Date(now.getTime() + holdSeconds(c.env) * 1000).toISOString();
    // One batch decides the race and the answer. The insert takes the snapshot from the
    // replica only if the record can be sold to this buyer and the buyer is within their
    // holds and their orders a minute; the unique index on live orders turns every loser's
    // insert into nothing (no error). The event is staged from the row, so it exists only if
    // this insert won. The selects then explain the outcome.
    const [, , [created], [buyer]] = await commit(db, [
      db
        .insert(t)
        .select(
          // Values in the table's column order, which insert … select requires.
          sql`select ${id}, ${user.id}, ${v.id}, ${v.title}, ${v.priceCents}, ${v.currency}, 'created', null,
            ${expiresAt}, 0, null, ${stamp}, ${stamp}, ${v.userId}
            from ${v} where ${v.id} = ${vinylId} and ${v.status} not in ('withdrawn', 'sold') and ${v.userId} <> ${user.id}
            and ${withinLimits(user.id, since)}`,
        )
        .onConflictDoNothing(),
      stageOrderEvent(db, "order_created", eq(t.id, id)),
      // The answer to a win, read in the same round trip: nothing when the insert lost.
      selectOrders(db).where(eq(t.id, id)).limit(1),
      // Why an insert lost: the buyer's own live order for this record, or a limit of theirs.
      // (The early read has already answered an unknown record and one's own.)
      buyerStanding(db, user.id, since, vinylId),
    ], publisherFor(c.env, c.executionCtx));
    if (created) {
      c.header("Location", `/api/orders/${id}`);
      return c.json(toOrderJson(created, user.id), 201);
    }
    if (buyer!.ownLive) return c.json(toOrderJson((await findOrder(db, eq(t.id, buyer!.ownLive)))!, user.id), 200);
    refuseOverLimits(buyer!, now, setHeader);
    throw new ApiError(409, "Vinyl is not available");
  },
);

orders.openapi(
  createRoute({
    method: "get",
    path: "/",
    summary: "The caller's orders, oldest first",
    middleware: [requireAuth()] as const,
    responses: { 200: jsonContent(z.array(Order), "Every order of the caller, in every status"), 401: errorContent("Not signed in") },
  }),
  async (c) => {
    const user = requireUser(c);
    // Orders placed within one millisecond keep the order they were inserted in (rowid).
    const rows = await selectOrders(database(c.env))
      .where(eq(t.userId, user.id))
      .orderBy(asc(t.createdAt), asc(sql`${t}.rowid`));
    return c.json(
      rows.map((row) => toOrderJson(row, user.id)),
      200,
    );
  },
);

orders.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    summary: "One of the caller's orders, as its buyer or its seller",
    description: "The seller may read an order of their record; the buyer's address only once it is paid.",
    middleware: [requireAuth()] as const,
    request: { params: IdParam },
    responses: {
      200: jsonContent(Order, "The order"),
      401: errorContent("Not signed in"),
      403: errorContent("Neither the buyer's nor the seller's order"),
      404: errorContent("No such order"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const { id } = c.req.valid("param");
    if (!UUID.test(id)) throw orderNotFound();
    const view = await findOrder(database(c.env), eq(t.id, id));
    if (!view) throw orderNotFound();
    if (view.order.userId !== user.id && view.order.sellerId !== user.id) throw new ApiError(403, "You can only see your own orders");
    return c.json(toOrderJson(view, user.id), 200);
  },
);

orders.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    summary: "Cancel one's own unpaid order",
    description: "Cancelling an order that is already cancelled changes nothing and answers 204.",
    middleware: [requireAuth()] as const,
    request: { params: IdParam },
    responses: {
      204: { description: "Cancelled (reason buyer), or already cancelled" },
      401: errorContent("Not signed in"),
      403: errorContent("Someone else's order"),
      404: errorContent("No such order"),
      409: errorContent("`Cannot cancel a completed order`"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const { id } = c.req.valid("param");
    if (!UUID.test(id)) throw orderNotFound();
    const db = database(c.env);
    // The guarded cancel, its event (staged with the same condition), and the row's state
    // to explain a refusal, in one round trip.
    const unpaidAndMine = and(eq(t.id, id), eq(t.userId, user.id), UNPAID)!;
    const [, changed, [state]] = await commit(
      db,
      [
        stageOrderEvent(db, "order_cancelled", unpaidAndMine, cancelled("buyer")),
        db.update(t).set(moveTo(cancelled("buyer"))).where(unpaidAndMine).returning({ id: t.id }),
        db.select({ userId: t.userId, status: t.status }).from(t).where(eq(t.id, id)).limit(1),
      ],
      publisherFor(c.env, c.executionCtx),
    );
    if (changed.length > 0) return c.body(null, 204);
    if (!state) throw orderNotFound();
    if (state.userId !== user.id) throw new ApiError(403, "You can only cancel your own orders");
    // Cancelling is idempotent: asking again for an order that has ended unpaid is a success.
    if (state.status === "cancelled") return c.body(null, 204);
    throw new ApiError(409, "Cannot cancel a completed order");
  },
);
