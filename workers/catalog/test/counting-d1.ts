/** One call that went to D1: a single statement or a whole batch (one round trip either way). */
export type D1Call = { method: string; statements: { sql: string; params: unknown[] }[] };

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
   * The calls a request made to answer, leaving out the outbox relay: it reads and deletes
   * the outbox rows after the commit, in the background (`waitUntil`), and is the outbox's
   * own work, not the request's.
   */
  const requestCalls = () =>
    calls.filter((c) => !c.statements.every((s) => /^\s*(select|delete)\b[\s\S]*\bfrom "outbox"/i.test(s.sql)));

  return { db: counting, calls, requestCalls };
}
