import { eq, inArray } from "drizzle-orm";
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
import { chunk, IDS_PER_SELECT } from "./chunk";
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

/**
 * What an inbox does with each event type. The handlers of one delivery all run before any
 * of their effects commit (one batch for the delivery), so a handler that reads sees the
 * database as it was before the delivery, not after the events ahead of it: a decision that
 * depends on another event of the same delivery belongs in the effect's SQL (a condition
 * evaluated in the batch), not in a read. A handler may run more than once for one event
 * (a redelivery, or after its delivery's batch failed), so it must be idempotent.
 */
export type Handlers<E> = {
  [T in EventType]?: (event: EventOf<T>, env: E) => Promise<Effect | void> | Effect | void;
};

type Handler<E> = (event: DomainEvent, env: E) => Promise<Effect | void> | Effect | void;

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

/** An event of the delivery, with the message that carried it. */
type Delivered = { message: Message; event: DomainEvent };
/** …and the effect its handler answered, if it is to commit with the others. */
type Prepared = Delivered & { effect?: Effect };

const fieldsOf = (name: Inbox, message: Message) => ({ inbox: name, messageId: message.id, attempts: message.attempts });

/**
 * A queue consumer that applies each event at most once. The event id is recorded in the
 * same batch as the effect (and the events it stages), so a redelivery or a concurrent
 * duplicate changes nothing. Transient failures are retried with backoff; after
 * `max_retries` the runtime moves the message to the dead-letter queue. A message that can
 * never apply goes there at once, and is recorded, so it is never asked for again.
 * Control messages (schema/events.ts) are handled here: a heartbeat updates what this
 * inbox knows of its source, a resend request sends rows of this service's outbox again.
 *
 * Under load a delivery holds up to `max_batch_size` events, and D1 round trips are what
 * a consumer spends: an inbox with a database commits all of a delivery's events in one
 * batch (see `Handlers` for what that means for a handler). Anything that does not fit
 * (a handler that throws, a batch that fails) is applied one event at a time after it,
 * as every event used to be.
 */
export function createInboxConsumer<E extends InboxEnv>(opts: InboxOptions<E>) {
  return async function queue(batch: MessageBatch, env: E, ctx: ExecutionContext) {
    const db = opts.db?.(env);
    const publisher = publisherFor(env, ctx);
    const events: Delivered[] = [];
    for (const message of batch.messages) {
      const parsed = parse(message.body);
      // Without a database nothing is committed, so there is nothing to share: each goes alone.
      if (db && parsed.kind === "event") events.push({ message, event: parsed.event });
      else await alone(message, parsed, db, env, publisher);
    }
    if (db && events.length > 0) await together(events, db, env, publisher);
  };

  /**
   * One message on its own: dead-lettered, answered, or applied (with `effect` if its handler
   * already answered one), and retried if that fails.
   */
  async function alone(message: Message, parsed: Parsed, db: Db | undefined, env: E, publisher: Publisher, effect?: Effect) {
    const fields = fieldsOf(opts.inbox, message);
    if (parsed.kind === "malformed") {
      log.error("malformed message sent to dead-letter queue", { ...fields, issues: parsed.issues });
      await deadLetter(message, env);
      return;
    }
    try {
      if (parsed.kind === "control") await control(parsed.message, db, publisher);
      else await apply(parsed.event, db, env, publisher, fields, message, effect);
      if (parsed.kind === "control") message.ack();
    } catch (error) {
      const delaySeconds = retryDelay(message.attempts);
      log.warn("message failed; will retry", { ...fields, delaySeconds, error: String(error) });
      message.retry({ delaySeconds });
    }
  }

  /**
   * A delivery's events in one round trip: the redeliveries already recorded are skipped,
   * every other event's handler runs, and their effects commit in one batch. What does not
   * fit goes alone, after it: the events whose handler threw run it again (the batch may be
   * what they were waiting for), and if the batch failed, every event commits its effect on
   * its own (one event's duplicate or failing effect must not hold the others back).
   */
  async function together(delivered: readonly Delivered[], db: Db, env: E, publisher: Publisher) {
    const prepared = await prepare(await skipRecorded(delivered, db), env);
    const ready = prepared.filter((p): p is Required<Prepared> => p.effect !== undefined);
    // One event alone is the same batch, and its own path answers a failure without trying again.
    const committed = ready.length > 1 && (await commitTogether(ready, db, publisher));
    const left = committed ? prepared.filter((p) => p.effect === undefined) : prepared;
    for (const { message, event, effect } of left) await alone(message, { kind: "event", event }, db, env, publisher, effect);
  }

  /**
   * Acks the redeliveries whose events are recorded already and returns the others, so no
   * handler runs twice for a message the queue delivers again: one lookup for all of them.
   * A first delivery is not looked up: duplicates among those are rare (a resend, the sweep
   * racing the relay), their batch fails on the inbox key and rolls back whole, and handlers
   * are idempotent; every event applied saves a round trip. If the lookup fails, none is
   * skipped: the inbox key still refuses a recorded event.
   */
  async function skipRecorded(delivered: readonly Delivered[], db: Db) {
    const redelivered = delivered.filter((d) => d.message.attempts > 1).map((d) => d.event.id);
    if (redelivered.length === 0) return delivered;
    const recorded = await recordedAmong(db, redelivered).catch((error) => {
      log.warn("redeliveries not looked up; the inbox key still refuses duplicates", { inbox: opts.inbox, error: String(error) });
      return new Set<string>();
    });
    return delivered.filter(({ message, event }) => {
      if (message.attempts === 1 || !recorded.has(event.id)) return true;
      log.info("duplicate event skipped", { ...fieldsOf(opts.inbox, message), eventId: event.id, type: event.type, source: event.source, seq: event.seq });
      message.ack();
      return false;
    });
  }

  /**
   * Runs each event's handler, in delivery order, and answers the events with their effects.
   * One gets none, and is left for the one-at-a-time path, when it has no handler, its
   * handler throws, or it repeats an event already prepared (it would fail the batch on the
   * inbox key; alone, after it, it is found recorded).
   */
  async function prepare(delivered: readonly Delivered[], env: E): Promise<Prepared[]> {
    const prepared: Prepared[] = [];
    const ids = new Set<string>();
    for (const d of delivered) {
      const handler = opts.handlers[d.event.type] as Handler<E> | undefined;
      if (!handler || ids.has(d.event.id)) {
        prepared.push(d);
        continue;
      }
      try {
        prepared.push({ ...d, effect: (await handler(d.event, env)) ?? {} });
        ids.add(d.event.id);
      } catch {
        // Alone, the handler runs again and its error is logged and acted on there.
        prepared.push(d);
      }
    }
    return prepared;
  }

  /** Commits every prepared event's inbox record and effect, in delivery order, in one batch; acks them if it did. */
  async function commitTogether(prepared: readonly Required<Prepared>[], db: Db, publisher: Publisher) {
    const eventIds = prepared.map((p) => p.event.id);
    try {
      await commit(db, prepared.flatMap((p) => [...record(db, p.event), ...(p.effect.statements ?? [])]), publisher);
    } catch (error) {
      log.warn("events failed together; applying them one at a time", { inbox: opts.inbox, eventIds, error: String(error) });
      return false;
    }
    log.info("events applied", { inbox: opts.inbox, events: prepared.length, eventIds });
    for (const p of prepared) p.message.ack();
    return true;
  }

  async function control(message: ControlMessage, db: Db | undefined, publisher: Publisher) {
    // An inbox without a database keeps no numbering and sends nothing numbered.
    if (!db) return;
    if (message.control === "heartbeat") await db.batch([learnSeq(db, message.source, message.seq)]);
    else await resend(db, publisher, message.inbox, message.ranges);
  }

  /**
   * One event in a batch of its own, with `prepared` if its handler already answered that
   * effect. What fails is sorted out here: a duplicate is acked, an event that can never
   * apply is dead-lettered, anything else is thrown to be retried.
   */
  async function apply(
    event: DomainEvent,
    db: Db | undefined,
    env: E,
    publisher: Publisher,
    fields: Record<string, unknown>,
    message: Message,
    prepared?: Effect,
  ) {
    const eventFields = { ...fields, eventId: event.id, type: event.type, source: event.source, seq: event.seq };
    const handler = opts.handlers[event.type] as Handler<E> | undefined;
    if (!handler) {
      log.error("event with no handler sent to dead-letter queue", eventFields);
      await recordUnapplied(db, event);
      await deadLetter(message, env);
      return;
    }
    const processed = async () =>
      db !== undefined && (await db.select({ id: inbox.eventId }).from(inbox).where(eq(inbox.eventId, event.id)).limit(1)).length > 0;
    try {
      // Redeliveries were looked up with their delivery (`skipRecorded`).
      const effect = prepared ?? (await handler(event, env)) ?? {};
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

  /** The ids among `eventIds` that this inbox has recorded, in one round trip however many. */
  async function recordedAmong(db: Db, eventIds: readonly string[]) {
    const [first, ...more] = chunk(eventIds, IDS_PER_SELECT).map((ids) =>
      db.select({ id: inbox.eventId }).from(inbox).where(inArray(inbox.eventId, ids)),
    );
    // A delivery's ids fit in one select; only more than that needs a (read-only) batch.
    const found = more.length === 0 ? [await first!] : await db.batch([first!, ...more]);
    return new Set(found.flat().map((row) => row.id));
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
