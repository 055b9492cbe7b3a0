import type { EventOf } from "../../../schema/events";
import { createInboxConsumer, type Effect, type Handlers } from "../../shared/src/inbox";
import { queuesFrom } from "../../shared/src/outbox";
import { closeCheckout } from "./checkout-sessions";
import { database } from "./db";
import { upsertOrder } from "./order-replica";
import type { WaitUntil } from "./refunds";

type OrderEvent = EventOf<"order_created" | "order_cancelled" | "order_completed">;

/** Created and completed orders only update the replica, in the inbox's batch. */
const replicate = (event: OrderEvent, env: Env): Effect => ({ statements: [upsertOrder(database(env), event.data)] });

/**
 * A cancelled order's checkout must end: its open sessions expire, and a payment that got
 * through anyway is refunded. The replica is committed first, on its own: a payment
 * recorded from now on sees the cancellation, and one recorded before is found here.
 * Every step is idempotent (version-guarded replica, Stripe idempotency keys, conditional
 * refund), so a retried message repeats them safely.
 */
async function cancel(event: EventOf<"order_cancelled">, env: Env, waitUntil: WaitUntil): Promise<Effect> {
  const db = database(env);
  await db.batch([upsertOrder(db, event.data)]);
  await closeCheckout(env, event.data.id, waitUntil);
  return {};
}

/** The `payments-events` inbox. */
export async function queue(batch: MessageBatch, env: Env, ctx: ExecutionContext) {
  const waitUntil: WaitUntil = (p) => ctx.waitUntil(p);
  const handlers: Handlers<Env> = {
    order_created: replicate,
    order_completed: replicate,
    order_cancelled: (event, e) => cancel(event, e, waitUntil),
  };
  const consume = createInboxConsumer<Env>({
    service: "payments",
    db: database,
    queues: queuesFrom,
    deadLetters: (e) => e.DEAD_LETTERS,
    handlers,
  });
  await consume(batch, env, ctx);
}
