import type { DomainEvent } from "../../../schema/events";

/** Fault doubles for the queue fault tests: bindings that fail the way real ones do. */

/**
 * `db` whose next `batch()` calls fail: `before` ones fail without running (an outage),
 * `after` ones commit and then throw (the reply lost on the way back). Everything else is
 * the real binding, and statements are the real ones, so `batch()` still accepts them.
 */
export function flakyD1(db: D1Database, faults: { before?: number; after?: number }) {
  let before = faults.before ?? 0;
  let after = faults.after ?? 0;
  const failed = { before: 0, after: 0 };
  const binding = new Proxy(db, {
    get(target, property) {
      if (property === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          if (before > 0) {
            before--;
            failed.before++;
            throw new Error("D1_ERROR: simulated outage before commit");
          }
          const results = await target.batch(statements);
          if (after > 0) {
            after--;
            failed.after++;
            throw new Error("D1_ERROR: simulated network error after commit");
          }
          return results;
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { binding, failed };
}

/** A producer whose first `failures` sends throw, as a queue that is briefly unavailable; then it records. */
export function flakyQueue(failures = 0) {
  let failing = failures;
  const sent: DomainEvent[] = [];
  const refuse = () => {
    if (failing > 0) {
      failing--;
      throw new Error("queue unavailable");
    }
  };
  const queue = {
    send: async (body: DomainEvent) => {
      refuse();
      sent.push(body);
    },
    sendBatch: async (messages: Iterable<MessageSendRequest<DomainEvent>>) => {
      refuse();
      for (const m of messages) sent.push(m.body);
    },
  } as unknown as Queue;
  return { queue, sent };
}

/**
 * A producer whose sends wait until `release()`: a relay caught mid-send, so a sweep can
 * read the same outbox rows meanwhile. `entered` resolves once a send is under way.
 */
export function gatedQueue() {
  const sent: DomainEvent[] = [];
  let entered!: () => void;
  let release!: () => void;
  const enteredP = new Promise<void>((resolve) => (entered = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  const queue = {
    send: async (body: DomainEvent) => {
      entered();
      await gate;
      sent.push(body);
    },
    sendBatch: async (messages: Iterable<MessageSendRequest<DomainEvent>>) => {
      entered();
      await gate;
      for (const m of messages) sent.push(m.body);
    },
  } as unknown as Queue;
  return { queue, sent, entered: enteredP, release };
}
