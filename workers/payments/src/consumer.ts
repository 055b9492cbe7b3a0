import type { EventOf } from "../../../schema/events";
import { createInboxConsumer, publisherFor, type Effect, type Handlers, type Publisher } from "../../shared/src/messaging";
import { applySessionRevoked } from "../../shared/src/replicas";
import { closeCheckout, expireStaleCheckout } from "./checkout-sessions";
import { database } from "./db";
import { upsertOrder } from "./order-replica";

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
async function cancel(event: EventOf<"order_cancelled">, env: Env, publisher: Publisher): Promise<Effect> {
  const db = database(env);
  await db.batch([upsertOrder(db, event.data)]);
  await closeCheckout(env, event.data.id, publisher);
  return {};
}

/**
 * An order changed without changing status: its shipping address (and so its total),
 * shipment or delivery. A checkout opened for another total must not be paid: it is
 * expired, and the buyer's next Pay opens one for the new total. The replica is committed
 * first, as for a cancellation; expiring is idempotent, so a retried message repeats it safely.
 */
async function update(event: EventOf<"order_updated">, env: Env, publisher: Publisher): Promise<Effect> {
  const db = database(env);
  await db.batch([upsertOrder(db, event.data)]);
  await expireStaleCheckout(env, event.data.id, publisher);
  return {};
}

/** The `payments-events` inbox. */
export async function queue(batch: MessageBatch, env: Env, ctx: ExecutionContext) {
  const publisher = publisherFor(env, ctx);
  const handlers: Handlers<Env> = {
    order_created: replicate,
    order_completed: replicate,
    order_cancelled: (event, e) => cancel(event, e, publisher),
    order_updated: (event, e) => update(event, e, publisher),
    session_revoked: (event, e) => applySessionRevoked(database(e), event),
  };
  await createInboxConsumer<Env>({ inbox: "payments", db: database, handlers })(batch, env, ctx);
}
