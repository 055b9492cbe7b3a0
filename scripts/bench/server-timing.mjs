// Reads the `d1` metric every Worker reports in `Server-Timing` (workers/shared/src/d1-count.ts):
//   Server-Timing: d1;dur=0.84;desc="trips=1 rows_read=26 rows_written=0"
// and keeps a tally over every response of a load. The parser is the one the storefront uses.
import { readServerTiming } from "../../workers/shared/src/d1-count.ts";

/** The `d1` metric of one `Server-Timing` header, or null when the response has none. */
export const parseD1 = (header) => readServerTiming(header ?? null);

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
