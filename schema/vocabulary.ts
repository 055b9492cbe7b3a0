/**
 * The fixed words of the shop: genres, grades and statuses, and how long a record's name
 * may be. Kept apart from the event schemas (events.ts) so a Worker that only needs the
 * words, such as the storefront, does not load zod and build every schema when it starts.
 */

export const GENRES = [
  "Rock", "Pop", "Jazz", "Classical", "HipHop", "Country", "Electronic", "Reggae",
  "Blues", "Soul", "Funk", "Disco", "Metal", "Punk", "Folk", "Indie", "Alternative",
  "RnB", "Latin", "World", "Gospel", "Soundtrack", "KPop", "JPop",
] as const;

/** Goldmine grades, best first. */
export const MEDIA_GRADES = ["M", "NM", "VG+", "VG", "G+", "G", "F", "P"] as const;
export const SLEEVE_GRADES = [...MEDIA_GRADES, "GENERIC", "NOT_GRADED", "NO_COVER"] as const;

export const VINYL_STATUSES = ["available", "reserved", "sold", "withdrawn"] as const;
export const ORDER_STATUSES = ["created", "awaiting_payment", "complete", "cancelled"] as const;
export const CANCEL_REASONS = ["buyer", "expired", "unavailable"] as const;

/**
 * The longest title and artist a listing may have, in characters (code points, as zod
 * counts them) after trimming.
 */
export const MAX_TITLE_LENGTH = 200;
export const MAX_ARTIST_LENGTH = 200;
