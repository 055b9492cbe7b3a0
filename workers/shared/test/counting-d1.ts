/** One call that went to D1: a single statement or a whole batch (one round trip either way). */
export type D1Call = { method: string; statements: { sql: string; params: unknown[] }[] };

/** The outbox relay's call after a commit: marking the rows it sent, one update per inbox and group of rows. */
export const isRelay = (call: D1Call) =>
  call.statements.length > 0 && call.statements.every((s) => /^\s*update\s+"outbox"\s+set\s+"sent_at"\s*=/i.test(s.sql));

/** The session reader's lookup of a signed-in request's session among the revoked ones. */
export const isSessionCheck = (call: D1Call) =>
  call.statements.length === 1 && /^\s*select\s+"session_id"\s+from\s+"revoked_sessions"/i.test(call.statements[0]!.sql);

/**
 * `db` with every round trip recorded. Statements are the real ones with their methods
 * wrapped, not stand-ins, so `batch()` still accepts them.
 */
export function countingD1(db: D1Database) {
  const calls: D1Call[] = [];
  const known = new WeakMap<D1PreparedStatement, { sql: string; params: unknown[] }>();

  const watch = (statement: D1PreparedStatement, sql: string, params: unknown[]) => {
    known.set(statement, { sql, params });
    const bind = statement.bind.bind(statement);
    Object.assign(statement, { bind: (...values: unknown[]) => watch(bind(...values), sql, values) });
    for (const method of ["first", "all", "run", "raw"] as const) {
      const original = (statement[method] as (...args: unknown[]) => unknown).bind(statement);
      Object.assign(statement, {
        [method]: (...args: unknown[]) => {
          calls.push({ method, statements: [{ sql, params }] });
          return original(...args);
        },
      });
    }
    return statement;
  };

  const counting = new Proxy(db, {
    get(target, property) {
      if (property === "prepare") return (sql: string) => watch(target.prepare(sql), sql, []);
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          calls.push({ method: "batch", statements: statements.map((s) => known.get(s) ?? { sql: "?", params: [] }) });
          return target.batch(statements);
        };
      }
      if (property === "exec" || property === "dump" || property === "withSession") {
        return () => {
          throw new Error(`unexpected D1 ${String(property)}()`);
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });

  /**
   * The calls a request made to answer, leaving out the outbox relay and the session check.
   * The commit's own batch stages, numbers and reads back the outbox rows; after it, in the
   * background (`waitUntil`), the relay sends them and makes its only call, marking them sent
   * (`update "outbox" set "sent_at" …`). That is the outbox's own work, not the request's; the
   * session check is the shared session reader's, once per signed-in request (`sessionChecks`).
   */
  const requestCalls = () => calls.filter((c) => !isRelay(c) && !isSessionCheck(c));
  const sessionChecks = () => calls.filter(isSessionCheck);

  return { db: counting, calls, requestCalls, sessionChecks };
}
