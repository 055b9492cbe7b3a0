import { inArray } from "drizzle-orm";
import { users } from "../../../schema/tables/auth";
import type { Db } from "../../shared/src/messaging";

/** The longest username `USERNAME_PATTERN` allows. */
const MAX_LENGTH = 30;
const trimSeparators = (name: string) => name.replace(/^[-_]+|[-_]+$/g, "");

/**
 * The username sign-up derives from an email address, before a number makes it unique: the
 * local part lower-cased, `.` and `+` made `-`, other characters outside `[a-z0-9_-]`
 * dropped, `-` and `_` trimmed from the ends, cut to 30, padded with `0` to 3, `user` when
 * nothing is left. The auth migration that gave existing accounts their names follows the
 * same rule in SQL.
 */
export function usernameBase(email: string): string {
  const local = email.slice(0, email.indexOf("@")).toLowerCase();
  const name = trimSeparators(trimSeparators(local.replace(/[.+]/g, "-").replace(/[^a-z0-9_-]/g, "")).slice(0, MAX_LENGTH));
  if (!name) return "user";
  return name.padEnd(3, "0");
}

/** The n-th candidate for `base`: the base itself, then `base2`, `base3` … cut to fit within 30. */
export function candidate(base: string, n: number): string {
  if (n <= 1) return base;
  const suffix = String(n);
  return base.slice(0, MAX_LENGTH - suffix.length).replace(/[-_]+$/, "") + suffix;
}

const CANDIDATES_PER_LOOKUP = 10;
const LOOKUPS = 6;
const randomNumber = (below: number) => 11 + Math.floor(Math.random() * (below - 11));

/**
 * The first of `base`, `base2` … `base10` nobody has, or else a random numbered one; one
 * lookup per ten candidates. Another sign-up may still take it first: the unique index
 * decides, and the caller asks again.
 */
export async function freeUsername(db: Db, base: string): Promise<string> {
  for (let lookup = 0; lookup < LOOKUPS; lookup++) {
    const names =
      lookup === 0
        ? Array.from({ length: CANDIDATES_PER_LOOKUP }, (_, i) => candidate(base, i + 1))
        : Array.from({ length: CANDIDATES_PER_LOOKUP }, () => candidate(base, randomNumber(10 ** (2 + lookup))));
    const taken = new Set(
      (await db.select({ username: users.username }).from(users).where(inArray(users.username, names))).map((r) => r.username),
    );
    const free = names.find((name) => !taken.has(name));
    if (free) return free;
  }
  throw new Error(`no free username found for ${base}`);
}
