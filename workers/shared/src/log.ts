/**
 * Structured JSON log lines. Never pass secrets, passwords, tokens or card data.
 * `LOG_LEVEL` (set through `setLogLevel` from each Worker's env) silences chatter in benchmarks.
 */
type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: number = ORDER.info;

export function setLogLevel(level: string | undefined) {
  if (level && level in ORDER) threshold = ORDER[level as Level];
}

// An Error stringifies to `{}` and a bigint throws; neither may cost the line or the caller.
const replacer = (_key: string, value: unknown) =>
  value instanceof Error ? { name: value.name, message: value.message } : typeof value === "bigint" ? String(value) : value;

function serialise(level: Level, msg: string, fields: Record<string, unknown>) {
  const time = new Date().toISOString();
  try {
    // The fixed keys lead the line and are written again last, so a field cannot overwrite them.
    const fixed = { level, msg, time };
    return JSON.stringify(Object.assign({ ...fixed }, fields, fixed), replacer);
  } catch (error) {
    return JSON.stringify({ level, msg, time, logError: String(error) });
  }
}

function write(level: Level, msg: string, fields: Record<string, unknown> = {}) {
  if (ORDER[level] < threshold) return;
  const line = serialise(level, msg, fields);
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};
