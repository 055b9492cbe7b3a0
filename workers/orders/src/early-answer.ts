import { and, eq } from "drizzle-orm";
import { orders as t, vinyls as v } from "../../../schema/tables/orders";
import { ApiError } from "../../shared/src/errors";
import { revocationOf } from "../../shared/src/replicas";
import { LIVE, type Database } from "./db";
import { buyerStanding, refuseOverLimits, windowStart } from "./order-limit";

export type OrderRow = typeof t.$inferSelect;

/**
 * Most attempts at a record in demand lose: in a drop of R records to B buyers, all but R of
 * the R × B attempts. One read of the replica and the record's live order (one round trip, no
 * write transaction, no event staged) decides those, and answers what the ordering batch
 * would: 404 unknown, 403 one's own, 200 one's own live order, 409 held by someone else,
 * sold or withdrawn, 429 past the buyer's orders a minute, 409 at their unpaid holds (the
 * refusals thrown, in the route's words; the caller's own live order answered). Null when
 * the record looks free and the buyer may order: only the batch's conditional insert and the
 * unique index on live orders decide the race, so a read that is stale by the time the batch
 * runs can never sell twice; it only sends a loser on to the batch.
 */
export async function answerWithoutWriting(
  db: Database,
  vinylId: string,
  session: {
    userId: string;
    sessionId: string;
    confirm: (revoked: boolean) => void;
    now: Date;
    setHeader: (name: string, value: string) => void;
  },
): Promise<OrderRow | null> {
  const { userId } = session;
  // The caller's session is looked up among the revoked ones in the same round trip.
  const [[revoked], [vinyl], [live], [buyer]] = await db.batch([
    revocationOf(db, session.sessionId),
    db.select({ userId: v.userId, status: v.status }).from(v).where(eq(v.id, vinylId)).limit(1),
    db.select().from(t).where(and(eq(t.vinylId, vinylId), LIVE)).limit(1),
    buyerStanding(db, userId, windowStart(session.now), vinylId),
  ]);
  session.confirm(revoked !== undefined);
  if (!vinyl) throw new ApiError(404, "Vinyl not found");
  if (vinyl.userId === userId) throw new ApiError(403, "You cannot buy your own vinyl");
  if (live?.userId === userId) return live;
  if (live || vinyl.status === "withdrawn" || vinyl.status === "sold") throw new ApiError(409, "Vinyl is not available");
  refuseOverLimits(buyer!, session.now, session.setHeader);
  return null;
}
