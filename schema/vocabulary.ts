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

/**
 * ISO 3166-1 alpha-2 codes (with XK, Kosovo, as carriers use it): where a record ships
 * from and to. Names come from `Intl.DisplayNames` where they are shown.
 */
export const COUNTRIES = (
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV " +
  "BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES " +
  "ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE " +
  "IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY " +
  "MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU " +
  "NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM " +
  "SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE " +
  "VG VI VN VU WF WS XK YE YT ZA ZM ZW"
).split(" ") as readonly string[];

/**
 * A public username: 3–30 characters of lower-case letters, digits, `-` and `_`, starting
 * and ending with a letter or digit, so it reads well in a URL (`/sellers/:username`).
 * Compared and stored lower-cased.
 */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9_-]{1,28}[a-z0-9]$/;

/** After payment an order is shipped by its seller, then delivered. */
export const FULFILMENT_STATUSES = ["to_ship", "shipped", "delivered"] as const;

/** A shipped order counts as delivered this many days after shipping unless the buyer confirmed sooner. */
export const AUTO_DELIVER_DAYS = 14;

export const FEEDBACK_RATINGS = ["positive", "neutral", "negative"] as const;
