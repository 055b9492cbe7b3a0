import { eventEnvelope, type DomainEvent } from "../../../schema/events";
import { retryDelay } from "../../shared/src/inbox";
import { log, setLogLevel } from "../../shared/src/log";

/**
 * The `expiration-events` inbox. Holds are armed and disarmed by their Durable Object, one
 * per order, so idempotency and order independence live in each OrderHold's storage
 * rather than in a D1 inbox: arming twice is arming once, and a disarmed hold stays
 * disarmed whatever arrives after. As in the shared D1 inbox, a message that can never
 * apply goes to the dead-letter queue at once and anything else that fails is retried.
 */
export async function queue(batch: MessageBatch, env: Env) {
  setLogLevel(env.LOG_LEVEL);
  for (const message of batch.messages) {
    const fields = { service: "expiration", messageId: message.id, attempts: message.attempts };
    const parsed = eventEnvelope.safeParse(message.body);
    if (!parsed.success) {
      log.error("malformed event sent to dead-letter queue", { ...fields, issues: parsed.error.issues.length });
      await deadLetter(message, env);
      continue;
    }
    const event = parsed.data;
    const eventFields = { ...fields, eventId: event.id, type: event.type };
    try {
      const state = await apply(event, env);
      if (state === undefined) {
        log.error("event with no handler sent to dead-letter queue", eventFields);
        await deadLetter(message, env);
        continue;
      }
      log.info("event applied", { ...eventFields, hold: state });
      message.ack();
    } catch (error) {
      const delaySeconds = retryDelay(message.attempts);
      log.warn("event failed; will retry", { ...eventFields, delaySeconds, error: String(error) });
      message.retry({ delaySeconds });
    }
  }
}

/** The hold's state after the event, or undefined for an event this inbox does not take. */
function apply(event: DomainEvent, env: Env) {
  const hold = (orderId: string) => env.ORDER_HOLD.get(env.ORDER_HOLD.idFromName(orderId));
  switch (event.type) {
    case "order_created":
      return hold(event.data.id).arm({ orderId: event.data.id, expiresAt: event.data.expiresAt, version: event.version });
    case "order_cancelled":
    case "order_completed":
      return hold(event.data.id).disarm({ orderId: event.data.id, version: event.version });
    default:
      return undefined;
  }
}

async function deadLetter(message: Message, env: Env) {
  try {
    await env.DEAD_LETTERS.send(message.body, { contentType: "json" });
    message.ack();
  } catch (error) {
    log.error("dead-letter send failed; will retry", { messageId: message.id, error: String(error) });
    message.retry({ delaySeconds: retryDelay(message.attempts) });
  }
}
