import { eq, type SQL } from "drizzle-orm";
import { eventEnvelope, type DomainEvent, type EventOf, type EventType } from "../../../schema/events";
import { inbox } from "../../../schema/tables/messaging";
import { log } from "./log";
import { relayAfterCommit, stageEvents, type Db, type Queues, type Statement } from "./outbox";

/** What applying one event changes: statements and the events they cause, committed together. */
export type Effect = {
  statements?: Statement[];
  events?: DomainEvent[];
  /** Write `events` only if this holds after `statements` ran (see `stageEvents`). */
  eventsWhen?: SQL;
};

/**
 * Thrown by a handler for a message that can never apply (it contradicts the contract, not
 * the current state). The message goes to the dead-letter queue instead of being retried.
 * A transition that merely does not fit the current state is not this: return no effect.
 */
export class PermanentError extends Error {}

export type Handlers<E> = {
  [T in EventType]?: (event: EventOf<T>, env: E) => Promise<Effect | void> | Effect | void;
};

export type InboxOptions<E> = {
  service: string;
  db: (env: E) => Db;
  queues: (env: E) => Queues;
  /** Producer binding for this inbox's dead-letter queue. */
  deadLetters: (env: E) => Queue;
  handlers: Handlers<E>;
};

/** Seconds before the n-th retry: 2, 4, 8 … capped at five minutes. */
export const retryDelay = (attempts: number) => Math.min(2 ** Math.max(1, attempts), 300);

/**
 * A queue consumer that applies each event at most once. The event id is recorded in the
 * same batch as the effect, so a redelivery (or a concurrent duplicate) changes nothing.
 * Transient failures are retried with backoff; after `max_retries` the runtime moves the
 * message to the dead-letter queue. A message that can never apply goes there at once.
 */
export function createInboxConsumer<E>(opts: InboxOptions<E>) {
  return async function queue(batch: MessageBatch, env: E, ctx: ExecutionContext) {
    const db = opts.db(env);
    for (const message of batch.messages) {
      const parsed = eventEnvelope.safeParse(message.body);
      const fields = { service: opts.service, messageId: message.id, attempts: message.attempts };
      if (!parsed.success) {
        log.error("malformed event sent to dead-letter queue", { ...fields, issues: parsed.error.issues.length });
        await deadLetter(message, env);
        continue;
      }
      const event = parsed.data;
      const handler = opts.handlers[event.type] as
        | ((event: DomainEvent, env: E) => Promise<Effect | void> | Effect | void)
        | undefined;
      const eventFields = { ...fields, eventId: event.id, type: event.type };
      if (!handler) {
        log.error("event with no handler sent to dead-letter queue", eventFields);
        await deadLetter(message, env);
        continue;
      }
      const processed = async () =>
        (await db.select({ id: inbox.eventId }).from(inbox).where(eq(inbox.eventId, event.id)).limit(1)).length > 0;
      try {
        if (await processed()) {
          log.info("duplicate event skipped", eventFields);
          message.ack();
          continue;
        }
        const effect = (await handler(event, env)) ?? {};
        const events = effect.events ?? [];
        // The inbox row goes first: a concurrent duplicate fails on its key and rolls back whole.
        const statements: Statement[] = [
          db.insert(inbox).values({ eventId: event.id, type: event.type, processedAt: Date.now() }),
          ...(effect.statements ?? []),
          ...stageEvents(db, events, effect.eventsWhen),
        ];
        await db.batch(statements as [Statement, ...Statement[]]);
        relayAfterCommit(db, opts.queues(env), events.map((e) => e.id), (p) => ctx.waitUntil(p));
        log.info("event applied", eventFields);
        message.ack();
      } catch (error) {
        // A batch that lost a race with a concurrent duplicate failed on the inbox key.
        if (await processed().catch(() => false)) {
          log.info("duplicate event skipped", eventFields);
          message.ack();
        } else if (error instanceof PermanentError) {
          log.error("event can never apply; sent to dead-letter queue", { ...eventFields, error: error.message });
          await deadLetter(message, env);
        } else {
          const delaySeconds = retryDelay(message.attempts);
          log.warn("event failed; will retry", { ...eventFields, delaySeconds, error: String(error) });
          message.retry({ delaySeconds });
        }
      }
    }
  };

  async function deadLetter(message: Message, env: E) {
    try {
      await opts.deadLetters(env).send(message.body, { contentType: "json" });
      message.ack();
    } catch (error) {
      log.error("dead-letter send failed; will retry", { messageId: message.id, error: String(error) });
      message.retry({ delaySeconds: retryDelay(message.attempts) });
    }
  }
}
