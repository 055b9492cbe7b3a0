import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { fulfilments as f, orders as t } from "../../../../schema/tables/orders";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { errorContent, jsonContent } from "../../../shared/src/openapi";
import { requireAuth, requireUser } from "../../../shared/src/session";
import { database } from "../db";
import { Order, selectOrders, toOrderJson } from "../order-json";

/** `GET /api/orders/sales`: what the caller sold, in the order it needs doing. */
export const sales = createRouter<ServiceEnv<Env>>();

// 0: to ship, 1: shipped, 2: delivered.
const stage = sql`case ${f.status} when 'to_ship' then 0 when 'shipped' then 1 else 2 end`;

sales.openapi(
  createRoute({
    method: "get",
    path: "/sales",
    summary: "The caller's paid orders as seller: to ship first (oldest first), then shipped, then delivered (newest first)",
    description: "Each with the buyer's shipping address, the total and the buyer's public name.",
    middleware: [requireAuth()] as const,
    responses: { 200: jsonContent(z.array(Order), "The caller's sales"), 401: errorContent("Not signed in") },
  }),
  async (c) => {
    const user = requireUser(c);
    const rows = await selectOrders(database(c.env))
      .where(and(eq(t.sellerId, user.id), eq(t.status, "complete")))
      .orderBy(
        asc(stage),
        asc(sql`case when ${f.status} = 'to_ship' then ${f.paidAt} end`),
        desc(sql`case ${f.status} when 'shipped' then ${f.shippedAt} when 'delivered' then ${f.deliveredAt} end`),
        asc(sql`${t}.rowid`),
      );
    return c.json(
      rows.map((row) => toOrderJson(row, user.id)),
      200,
    );
  },
);
