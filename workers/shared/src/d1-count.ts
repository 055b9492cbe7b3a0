import type { MiddlewareHandler } from "hono";

/** What answering one request cost in D1: round trips, rows read and written, time spent in D1. */
export type D1Tally = { trips: number; rowsRead: number; rowsWritten: number; ms: number };

export const emptyTally = (): D1Tally => ({ trips: 0, rowsRead: 0, rowsWritten: 0, ms: 0 });

type Meta = { rows_read?: number; rows_written?: number; duration?: number };

function addMeta(tally: D1Tally, meta: Meta | undefined) {
  tally.rowsRead += meta?.rows_read ?? 0;
  tally.rowsWritten += meta?.rows_written ?? 0;
  tally.ms += meta?.duration ?? 0;
}

/**
 * `db` with every round trip it makes counted into `tally` while `counting()` holds: one per
 * `first`, `all`, `run` or `raw` of a statement, one per `batch`, with the rows D1 reports in
 * each result's meta. Statements stay the real ones (their methods are wrapped), so `batch()`
 * still takes them.
 *
 * `raw()` and `first()` drop D1's meta, so both are answered from `all()`: `raw()` returns
 * each row's values in column order. That merges two result columns of the same name, which
 * is why this wrapper only runs where `D1_TIMING` asks for it (the benchmark, development and
 * tests), never in production.
 */
export function countD1(db: D1Database, tally: D1Tally, counting: () => boolean = () => true): D1Database {
  const sqlOf = new WeakMap<D1PreparedStatement, string>();
  const trip = (_sql: string) => {
    if (counting()) tally.trips++;
  };
  const add = (meta: Meta | undefined) => {
    if (counting()) addMeta(tally, meta);
  };

  const watch = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    sqlOf.set(statement, sql);
    const bind = statement.bind.bind(statement);
    const all = statement.all.bind(statement);
    const run = statement.run.bind(statement);
    const counted = async <T>() => {
      trip(sql);
      const result = await all<T>();
      add(result.meta);
      return result;
    };
    Object.assign(statement, {
      bind: (...values: unknown[]) => watch(bind(...values), sql),
      all: counted,
      run: async () => {
        trip(sql);
        const result = await run();
        add(result.meta);
        return result;
      },
      raw: async (options?: { columnNames?: boolean }) => {
        const { results } = await counted<Record<string, unknown>>();
        const rows = results.map((row) => Object.values(row));
        return options?.columnNames ? [results[0] ? Object.keys(results[0]) : [], ...rows] : rows;
      },
      first: async (column?: string) => {
        const [row] = (await counted<Record<string, unknown>>()).results;
        if (!row) return null;
        if (column === undefined) return row;
        if (!(column in row)) throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${column})`);
        return row[column];
      },
    });
    return statement;
  };

  return new Proxy(db, {
    get(target, property) {
      if (property === "prepare") return (sql: string) => watch(target.prepare(sql), sql);
      if (property === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          trip(statements.map((s) => sqlOf.get(s) ?? "").join(";\n"));
          const results = await target.batch(statements);
          for (const result of results) add(result.meta);
          return results;
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A tally as a `Server-Timing` metric: `d1;dur=0.84;desc="trips=1 rows_read=26 rows_written=0"`. */
export function serverTiming(tally: D1Tally): string {
  return `d1;dur=${Math.round(tally.ms * 1000) / 1000};desc="trips=${tally.trips} rows_read=${tally.rowsRead} rows_written=${tally.rowsWritten}"`;
}

const D1_METRIC = /(?:^|,)\s*d1;([^,]*)/;
const FIELDS = { trips: /\btrips=(\d+)/, rowsRead: /\brows_read=(\d+)/, rowsWritten: /\brows_written=(\d+)/, ms: /\bdur=([\d.]+)/ };
const field = (params: string, key: keyof typeof FIELDS) => Number(FIELDS[key].exec(params)?.[1] ?? 0);

/** The `d1` metric of a `Server-Timing` header as a tally, or null when it has none. */
export function readServerTiming(header: string | null): D1Tally | null {
  const params = header ? D1_METRIC.exec(header)?.[1] : undefined;
  if (params === undefined) return null;
  return { trips: field(params, "trips"), rowsRead: field(params, "rowsRead"), rowsWritten: field(params, "rowsWritten"), ms: field(params, "ms") };
}

const isD1 = (value: unknown): value is D1Database =>
  typeof value === "object" && value !== null && typeof (value as D1Database).prepare === "function" && typeof (value as D1Database).batch === "function";

/**
 * With `D1_TIMING = "1"`, counts what each request costs in D1 and says so in
 * `Server-Timing`. Every D1 binding in the request's `c.env` is replaced by a counting one
 * for that request only (the shared env object is never changed), so handlers that build
 * their database from `c.env` are counted. Counting stops when the response is ready: what
 * runs after it (the outbox relay, in `waitUntil`) is not the request's cost.
 */
export function d1Timing(): MiddlewareHandler<{ Bindings: { D1_TIMING?: string } }> {
  return async (c, next) => {
    if (c.env.D1_TIMING !== "1") return next();
    const tally = emptyTally();
    let open = true;
    const env: Record<string, unknown> = { ...c.env };
    for (const [name, value] of Object.entries(env)) if (isD1(value)) env[name] = countD1(value, tally, () => open);
    c.env = env as typeof c.env;
    await next();
    open = false;
    try {
      c.res.headers.append("Server-Timing", serverTiming(tally));
    } catch {
      // An immutable response (one passed through from elsewhere) keeps its own headers.
    }
  };
}
