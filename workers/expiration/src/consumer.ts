import type { EventOf } from "../../../schema/events";
import { createInboxConsumer, type Handlers } from "../../shared/src/messaging";

type OrderEvent = EventOf<"order_created" | "order_cancelled" | "order_completed">;

const hold = (env: Env, orderId: string) => env.ORDER_HOLD.get(env.ORDER_HOLD.idFromName(orderId));

/**
 * Holds are armed and disarmed by their Durable Object, one per order, so idempotency and
 * order independence live in each OrderHold's storage rather than in a D1 inbox: arming
 * twice is arming once, and a disarmed hold stays disarmed whatever arrives after.
 */
/**
 * When the buyer is reminded: `HOLD_REMINDER_SECONDS` before the hold's end (3 minutes), or
 * never when that is 0 or the hold is shorter than that.
 */
export function remindAt(env: Env, expiresAt: string): number | null {
  const lead = Number(env.HOLD_REMINDER_SECONDS ?? 0);
  return Number.isFinite(lead) && lead > 0 ? Date.parse(expiresAt) - lead * 1000 : null;
}

const handlers: Handlers<Env> = {
  order_created: async (event, env) => {
    const { id, expiresAt, userId } = event.data;
    await hold(env, id).arm({ orderId: id, expiresAt, version: event.version, userId, remindAt: remindAt(env, expiresAt) });
  },
  order_cancelled: (event, env) => disarm(event, env),
  order_completed: (event, env) => disarm(event, env),
};

async function disarm(event: OrderEvent, env: Env) {
  await hold(env, event.data.id).disarm({ orderId: event.data.id, version: event.version });
}

/** The `expiration-events` inbox: the shared consumer, with the holds as its only state. */
export const queue = createInboxConsumer<Env>({ inbox: "expiration", handlers });
