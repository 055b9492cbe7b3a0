import { and, eq, or, sql, type SQL } from "drizzle-orm";
import { profiles, vinyls } from "../../../schema/tables/catalog";
import type { Db } from "../../shared/src/messaging";

/**
 * Sellers' public names, from the `profiles` replica that auth's `profile_updated` events
 * fill. Each listing keeps a copy of its seller's username and display name (written with
 * the listing, and again whenever a newer profile is applied), so a page of listings names
 * its sellers without reading one profile per row.
 */

/** The seller id of `username` as a scalar subquery: null, which matches no listing, when unknown. */
export const sellerIdNamed = (username: string): SQL =>
  sql`(select ${profiles.userId} from ${profiles} where ${profiles.username} = ${username})`;

/** `userId`'s username as the replica holds it now (null before their first profile arrives). */
export const sellerUsernameOf = (userId: string): SQL =>
  sql`(select ${profiles.username} from ${profiles} where ${profiles.userId} = ${userId})`;

/** `userId`'s display name as the replica holds it now. */
export const sellerDisplayNameOf = (userId: string): SQL =>
  sql`(select ${profiles.displayName} from ${profiles} where ${profiles.userId} = ${userId})`;

/**
 * Copies `userId`'s profile, as the replica holds it after the statement before in the same
 * batch, onto every listing of theirs that shows something else. Read from the replica rather
 * than the event, so an older profile event that the replica ignored changes nothing here
 * either, and listings made before the first profile event arrived get the name too.
 */
export function refreshSellerNames(db: Db, userId: string) {
  const username = sellerUsernameOf(userId);
  const displayName = sellerDisplayNameOf(userId);
  return db
    .update(vinyls)
    .set({ sellerUsername: username, sellerDisplayName: displayName })
    .where(
      and(
        eq(vinyls.userId, userId),
        or(sql`${vinyls.sellerUsername} is not ${username}`, sql`${vinyls.sellerDisplayName} is not ${displayName}`),
      ),
    );
}
