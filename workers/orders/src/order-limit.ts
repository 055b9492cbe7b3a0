import { ApiError } from "../../shared/src/errors";

/** ORDER_LIMITER's budget (wrangler.toml): attempts to create an order per buyer in one period. */
export const ORDERS_PER_MINUTE = 30;
const PERIOD_SECONDS = 60;

/**
 * Counts one attempt of `userId` to create an order against ORDER_LIMITER and refuses it
 * with 429 once the buyer's budget for the minute is spent. The hold cap bounds what a buyer
 * holds; this bounds how fast one account can churn holds (order, cancel, order again), each
 * time taking a record off sale for everyone else and writing to the database. `Retry-After`
 * is the period, the longest the buyer can have to wait.
 */
export async function limitOrders(env: Env, userId: string, setHeader: (name: string, value: string) => void) {
  const { success } = await env.ORDER_LIMITER.limit({ key: userId });
  if (success) return;
  setHeader("Retry-After", String(PERIOD_SECONDS));
  throw new ApiError(429, "Too many orders. Try again in a minute.");
}
