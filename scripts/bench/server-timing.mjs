// Reads the `d1` metric every Worker reports in `Server-Timing` (workers/shared/src/d1-count.ts):
//   Server-Timing: d1;dur=0.84;desc="trips=1 rows_read=26 rows_written=0"
// and keeps a tally over every response of a load.

/** The `d1` metric of one `Server-Timing` header, or null when the response has none. */
export function parseD1(header) {
  for (const metric of String(header ?? "").split(",")) {
    const [name, ...params] = metric.trim().split(";");
    if (name.trim() !== "d1") continue;
    const out = { trips: 0, rowsRead: 0, rowsWritten: 0, ms: 0 };
    for (const param of params) {
      const at = param.indexOf("=");
      const key = param.slice(0, at).trim();
      const value = param.slice(at + 1).trim().replace(/^"|"$/g, "");
      if (key === "dur") out.ms = Number(value) || 0;
      if (key !== "desc") continue;
      for (const [, k, v] of value.matchAll(/(\w+)=(\d+)/g)) {
        if (k === "trips") out.trips = Number(v);
        if (k === "rows_read") out.rowsRead = Number(v);
        if (k === "rows_written") out.rowsWritten = Number(v);
      }
    }
    return out;
  }
  return null;
}

export const emptyTiming = () => ({ responses: 0, reported: 0, trips: 0, maxTrips: 0, rowsRead: 0, maxRowsRead: 0, ms: 0 });

/** Adds one response's header to `tally`. */
export function addTiming(tally, header) {
  tally.responses++;
  const d1 = parseD1(header);
  if (!d1) return;
  tally.reported++;
  tally.trips += d1.trips;
  tally.maxTrips = Math.max(tally.maxTrips, d1.trips);
  tally.rowsRead += d1.rowsRead;
  tally.maxRowsRead = Math.max(tally.maxRowsRead, d1.rowsRead);
  tally.ms += d1.ms;
}

/** Per-request means of a tally; null where no response reported D1 at all. */
export function timingSummary(tally) {
  if (!tally || tally.reported === 0) return { trips: null, maxTrips: null, rowsRead: null, maxRowsRead: null, reported: 0 };
  return {
    trips: tally.trips / tally.reported,
    maxTrips: tally.maxTrips,
    rowsRead: tally.rowsRead / tally.reported,
    maxRowsRead: tally.maxRowsRead,
    d1Ms: tally.ms / tally.reported,
    reported: tally.reported / tally.responses,
  };
}
