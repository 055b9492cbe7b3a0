import { z } from "@hono/zod-openapi";
import { ApiError } from "../../shared/src/errors";
import type { SessionUser } from "../../shared/src/session";
import { database } from "./db";
import { findOrder } from "./order-replica";

// A constant: workerd forbids generating random values at module load.
const EXAMPLE_ID = "3f1c2a9e-7b4d-4e8a-9c61-5d2f0b8e4a17";

/** `{orderId}`: the body of both payment requests. Anything else sent (a price, say) is ignored. */
export const OrderRef = z
  .object(
    {
      orderId: z
        .string({ error: (issue) => (issue.input === undefined ? "orderId is required" : "orderId must be a string") })
        .trim()
        .min(1, { error: "orderId is required" })
        .openapi({ example: EXAMPLE_ID }),
    },
    { error: "Request body must be a JSON object" },
  )
  .openapi("OrderRef");

/**
 * The caller's order from the replica: 404 for an unknown id (also one created a moment
 * ago, until its event arrives), 403 for someone else's.
 */
export async function buyersOrder(env: Env, user: SessionUser, orderId: string) {
  const order = await findOrder(database(env), orderId);
  if (!order) throw new ApiError(404, "Order not found");
  if (order.userId !== user.id) throw new ApiError(403, "You can only pay for your own orders");
  return order;
}
