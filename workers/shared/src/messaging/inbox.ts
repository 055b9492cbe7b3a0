import { eq } from "drizzle-orm";
import {
  controlMessage,
  eventEnvelope,
  type ControlMessage,
  type DomainEvent,
  type EventOf,
  type EventType,
  type Inbox,
} from "../../../../schema/events";
import { inbox } from "../../../../schema/tables/messaging";
import { log } from "../log";
import { commit } from "./commit";
import { learnSeq } from "./gaps";
import { resend } from "./relay";
import type { Staged } from "./stage";
import { publisherFor, type Db, type Publisher, type Statement } from "./types";

/** What applying one event changes: statements and staged events, committed together with the inbox record. */
export type Effect = { statements?: readonly (Statement | Staged)[] };

/**
 * Thrown by a handler for a message that can never apply (it contradicts the contract, not
 * the current state). The message goes to the dead-letter queue instead of being retried.
 * A transition that merely does not fit the current state is not this: return no effect.
 */
export class PermanentError extends Error {}

export type Handlers<E> = {
  [T in EventType]?: (event: EventOf<T>, env: E) => Promise<Effect | void> | Effect | void;
};

type InboxEnv = { DEAD_LETTERS: Queue };

export type InboxOptions<E extends InboxEnv> = {
  /** This inbox (`<name>-events`). */
  inbox: Inbox;
  /**
   * The inbox's database. Without one, nothing is recorded: each handler must be idempotent
   * on its own, and its effect empty (the expiration Worker's holds keep their own state).
   */
  db?: (env: E) => Db;
  handlers: Handlers<E>;
};

/** Seconds before the n-th retry: 2, 4, 8 … capped at five minutes. */
export const retryDelay = (attempts: number) => Math.min(2 ** Math.max(1, attempts), 300);

type Parsed = { kind: "event"; event: DomainEvent } | { kind: "control"; message: ControlMessage } | { kind: "malformed"; issues: number };

function parse(body: unknown): Parsed {
  if (typeof body === "object" && body !== null && "control" in body) {
    const control = controlMessage.safeParse(body);
    return control.success ? { kind: "control", message: control.data } : { kind: "malformed", issues: control.error.issues.length };
  }
  const event = eventEnvelope.safeParse(body);
  return event.success ? { kind: "event", event: event.data } : { kind: "malformed", issues: event.error.issues.length };
}

/**
 * The inbox record of an event: its id, and where it stands in its source's numbering. An
 * applied event's record fails on a duplicate (its batch rolls back); a dead-lettered one's need not.
 */
function record(db: Db, event: DomainEvent, onDuplicate: "fail" | "ignore" = "fail"): Statement[] {
  const insert = db.insert(inbox).values({ eventId: event.id, type: event.type, processedAt: Date.now(), source: event.source, seq: event.seq ?? null });
  const row = onDuplicate === "ignore" ? insert.onConflictDoNothing() : insert;
  return event.seq === undefined ? [row] : [row, learnSeq(db, event.source, event.seq)];
}

/**
 * A queue consumer that applies each event at most once. The event id is recorded in the
 * same batch as the effect (and the events it stages), so a redelivery or a concurrent
 * duplicate changes nothing. Transient failures are retried with backoff; after
 * `max_retries` the runtime moves the message to the dead-letter queue. A message that can
 * never apply goes there at once, and is recorded, so it is never asked for again.
 * Control messages (schema/events.ts) are handled here: a heartbeat updates what this
 * inbox knows of its source, a resend request sends rows of this service's outbox again.
 */
export function createInboxConsumer<E extends InboxEnv>(opts: InboxOptions<E>) {
  return async function queue(batch: MessageBatch, env: E, ctx: ExecutionContext) {
    const db = opts.db?.(env);
    const publisher = publisherFor(env, ctx);
    for (const message of batch.messages) {
      const fields = { inbox: opts.inbox, messageId: message.id, attempts: message.attempts };
      const parsed = parse(message.body);
      if (parsed.kind === "malformed") {
        log.error("malformed message sent to dead-letter queue", { ...fields, issues: parsed.issues });
        await deadLetter(message, env);
        continue;
      }
      try {
        if (parsed.kind === "control") await control(parsed.message, db, publisher);
        else await apply(parsed.event, db, env, publisher, fields, message);
        if (parsed.kind === "control") message.ack();
      } catch (error) {
        const delaySeconds = retryDelay(message.attempts);
        log.warn("message failed; will retry", { ...fields, delaySeconds, error: String(error) });
        message.retry({ delaySeconds });
      }
    }
  };

  async function control(message: ControlMessage, db: Db | undefined, publisher: Publisher) {
    // An inbox without a database keeps no numbering and sends nothing numbered.
    if (!db) return;
    if (message.control === "heartbeat") await db.batch([learnSeq(db, message.source, message.seq)]);
    else await resend(db, publisher, message.inbox, message.ranges);
  }

  async function apply(
    event: DomainEvent,
    db: Db | undefined,
    env: E,
    publisher: Publisher,
    fields: Record<string, unknown>,
    message: Message,
  ) {
    const eventFields = { ...fields, eventId: event.id, type: event.type, source: event.source, seq: event.seq };
    const handler = opts.handlers[event.type] as ((event: DomainEvent, env: E) => Promise<Effect | void> | Effect | void) | undefined;
    if (!handler) {
      log.error("event with no handler sent to dead-letter queue", eventFields);
      await recordUnapplied(db, event);
      await deadLetter(message, env);
      return;
    }
    const processed = async () =>
      db !== undefined && (await db.select({ id: inbox.eventId }).from(inbox).where(eq(inbox.eventId, event.id)).limit(1)).length > 0;
    try {
      // A message the queue delivers again is looked up first, so its handler does not run
      // twice. A first delivery is not: duplicates among those are rare (a resend, the sweep
      // racing the relay), their batch fails on the inbox key below and rolls back whole, and
      // handlers are idempotent; every event applied saves a round trip.
      if (message.attempts > 1 && (await processed())) {
        log.info("duplicate event skipped", eventFields);
        message.ack();
        return;
      }
      const effect = (await handler(event, env)) ?? {};
      if (db) {
        // The inbox row goes first: a concurrent duplicate fails on its key and rolls back whole.
        await commit(db, [...record(db, event), ...(effect.statements ?? [])], publisher);
      } else if (effect.statements?.length) {
        throw new Error(`inbox ${opts.inbox} has no database to commit an effect in`);
      }
      log.info("event applied", eventFields);
      message.ack();
    } catch (error) {
      // A batch that lost a race with a concurrent duplicate failed on the inbox key.
      if (await processed().catch(() => false)) {
        log.info("duplicate event skipped", eventFields);
        message.ack();
      } else if (error instanceof PermanentError) {
        log.error("event can never apply; sent to dead-letter queue", { ...eventFields, error: error.message });
        await recordUnapplied(db, event);
        await deadLetter(message, env);
      } else {
        throw error;
      }
    }
  }

  /** A dead-lettered event still fills its place in the numbering, so it is never asked for again. */
  async function recordUnapplied(db: Db | undefined, event: DomainEvent) {
    if (!db) return;
    try {
      await db.batch(record(db, event, "ignore") as [Statement, ...Statement[]]);
    } catch (error) {
      log.warn("dead-lettered event not recorded; its number may be asked for again", { eventId: event.id, error: String(error) });
    }
  }

  async function deadLetter(message: Message, env: E) {
    try {
      await env.DEAD_LETTERS.send(message.body, { contentType: "json" });
      message.ack();
    } catch (error) {
      log.error("dead-letter send failed; will retry", { messageId: message.id, error: String(error) });
      message.retry({ delaySeconds: retryDelay(message.attempts) });
    }
  }
}
