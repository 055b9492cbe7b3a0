import { sql } from "drizzle-orm";
import { log } from "../../shared/src/log";
import { closeCheckout } from "./checkout-sessions";
import { database } from "./db";
import type { Publisher } from "../../shared/src/messaging";

/** Orders one cron run settles; the next run takes the rest. */
const ORDERS_PER_RUN = 25;

/**
 * The backstop for invariant 5: a cancelled order with a payment still `paid` or a session
 * still `open` (its order_cancelled message failed every retry, or Stripe was down) is
 * closed here, once a minute, until nothing is left.
 */
export async function reconcile(env: Env, publisher: Publisher) {
  const db = database(env);
  const stuck = await db.all<{ order_id: string }>(sql`
    select order_id from payments where status = 'paid' and order_id in (select id from orders where status = 'cancelled')
    union
    select order_id from checkout_sessions where status = 'open' and order_id in (select id from orders where status = 'cancelled')
    limit ${ORDERS_PER_RUN}`);
  for (const { order_id: orderId } of stuck) {
    try {
      await closeCheckout(env, orderId, publisher);
      log.warn("cancelled order settled by the backstop", { service: "payments", orderId });
    } catch (error) {
      log.error("backstop could not settle a cancelled order", { service: "payments", orderId, error: String(error) });
    }
  }
  return stuck.length;
}
