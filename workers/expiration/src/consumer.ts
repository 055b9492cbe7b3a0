import type { EventOf } from "../../../schema/events";
import { createInboxConsumer, type Handlers } from "../../shared/src/messaging";

type OrderEvent = EventOf<"order_created" | "order_cancelled" | "order_completed">;

const hold = (env: Env, orderId: string) => env.ORDER_HOLD.get(env.ORDER_HOLD.idFromName(orderId));

/**
 * Holds are armed and disarmed by their Durable Object, one per order, so idempotency and
 * order independence live in each OrderHold's storage rather than in a D1 inbox: arming
 * twice is arming once, and a disarmed hold stays disarmed whatever arrives after.
 */
const handlers: Handlers<Env> = {
  order_created: async (event, env) => {
    await hold(env, event.data.id).arm({ orderId: event.data.id, expiresAt: event.data.expiresAt, version: event.version });
  },
  order_cancelled: (event, env) => disarm(event, env),
  order_completed: (event, env) => disarm(event, env),
};

async function disarm(event: OrderEvent, env: Env) {
  await hold(env, event.data.id).disarm({ orderId: event.data.id, version: event.version });
}

/** The `expiration-events` inbox: the shared consumer, with the holds as its only state. */
export const queue = createInboxConsumer<Env>({ inbox: "expiration", handlers });
