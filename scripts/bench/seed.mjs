// Seeds N listings straight into the catalog database (the FTS triggers from
// schema/migrations/catalog index them as the migrations expect) and the same records into
// orders' replica of vinyls, which `POST /api/orders` reads. Every third listing has a photo,
// one of a few phone-sized originals put straight into the photo bucket. Deterministic: the
// same N always gives the same records, so runs compare.
import { createHash } from "node:crypto";
import { GENRES, MEDIA_GRADES, SLEEVE_GRADES } from "../../schema/vocabulary.ts";
// The covers' seeded generator (mulberry32), so the same N always yields the same catalog.
import { random as generator } from "../../site/src/lib/cover-art.ts";
import { recordPhoto } from "../../test/support/record-photo.ts";

/** Distinct photos the listings share, and how large each original is (px square, about 3 MB as PNG). */
export const PHOTO_COUNT = 12;
const PHOTO_SIZE = 1200;
/** Listings with a photo: every third, so a browse page shows photos beside generated covers. */
export const photoOf = (index) => (index % 3 === 0 ? (index / 3) % PHOTO_COUNT : null);

const ADJECTIVES = [
  "Blue", "Electric", "Silent", "Golden", "Midnight", "Velvet", "Broken", "Wild", "Crystal", "Burning", "Lonely", "Distant",
  "Hidden", "Restless", "Painted", "Endless", "Sweet", "Bitter", "Secret", "Northern", "Southern", "Hollow", "Neon", "Copper",
  "Paper", "Silver", "Scarlet", "Frozen", "Gentle", "Savage", "Quiet", "Heavy", "Strange", "Lucky", "Last", "First", "Little",
  "Faded", "Bright", "Holy", "Cosmic", "Tender", "Rusty", "Dusty", "Early", "Late", "Radiant", "Sacred", "Shallow", "Deep",
];
const NOUNS = [
  "Train", "Garden", "River", "Highway", "Dreams", "Heart", "Machine", "Ocean", "Fire", "Moon", "Sun", "Rain", "City", "Horizon",
  "Echoes", "Shadows", "Mirror", "Road", "Summer", "Winter", "Island", "Mountain", "Signal", "Season", "Parade", "Circus",
  "Harbour", "Letters", "Stranger", "Kingdom", "Valley", "Frequency", "Avenue", "Lights", "Wires", "Ghosts", "Engine",
  "Promise", "Country", "Station", "Waves", "Sessions", "Tapes", "Voices", "Satellite", "Carousel", "Orchard", "Delta",
  "Canyon", "Lullaby",
];
const FIRST = [
  "Ella", "Miles", "Nina", "Otis", "Aretha", "Johnny", "Dolly", "Marvin", "Joni", "Curtis", "Etta", "Lou", "Patti", "Stevie",
  "Billie", "Chet", "Sam", "Donna", "Bobbie", "Leon", "Carole", "Gil", "Isaac", "Minnie", "Ray", "Sade", "Tom", "Karen",
];
const LAST = [
  "Harper", "Bell", "Fontaine", "Reyes", "Okafor", "Lindqvist", "Moreau", "Takahashi", "Kowalski", "Adeyemi", "Novak",
  "Castillo", "Brennan", "Hale", "Whitfield", "Sato", "Ferreira", "Dubois", "Mensah", "Park", "Ivanova", "Quinn", "Mercer",
];
const BANDS = ["Orchestra", "Collective", "Quartet", "Brothers", "Sisters", "Experience", "Band", "Ensemble", "Trio", "Sound System"];
const LABELS = [
  "Blue Note", "Atlantic", "Motown", "Stax", "Island", "Columbia", "Chess", "Impulse!", "Warp", "Rough Trade", "Sub Pop",
  "Trojan", "Verve", "Elektra", "Factory", "4AD", "Mute", "Def Jam", "Tamla", "Prestige", "ECM", "Studio One", "Casablanca",
];
const FORMATS = ["LP", "LP", "LP", "2xLP", "7\"", "12\"", "EP"];
const PHRASES = [
  "Original pressing with the inner sleeve.", "Plays through with light surface noise.", "Corner wear on the sleeve.",
  "Gatefold sleeve, clean labels.", "Stored upright since new.", "Small seam split at the bottom.", "Promo stamp on the back.",
  "Includes the lyric insert.", "A few light hairlines, no skips.", "Shrink wrap still on the sleeve.",
];

function uuid(random) {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = "4";
  hex[16] = "89ab"[Math.floor(random() * 4)];
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Sellers the listings belong to: a few hundred, so "my listings" pages stay realistic. */
export const SELLER_COUNT = 400;
/** The share of listings withdrawn by their seller; the rest are for sale. */
const WITHDRAWN = 0.03;

/**
 * N listings, oldest first, as catalog rows. Prices are skewed low as second-hand prices are
 * ($3 to about $300), grades lean to the good end, and the newest was listed a minute ago.
 */
export function listings(n, seed = 7) {
  const random = generator(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const sellers = Array.from({ length: SELLER_COUNT }, () => uuid(random));
  // Sellers' names and shipping come from each row's place, not the generator, so the rest of
  // the catalog is the same as before they existed.
  const names = new Map(sellers.map((id, i) => [id, sellerName(i)]));
  const newest = Date.UTC(2026, 0, 1);
  const rows = [];
  for (let i = 0; i < n; i++) {
    const solo = random() < 0.6;
    const artist = solo ? `${pick(FIRST)} ${pick(LAST)}` : `The ${pick(LAST)} ${pick(BANDS)}`;
    const created = new Date(newest - (n - i) * 60_000).toISOString();
    const sellerId = pick(sellers);
    const listing = {
      id: uuid(random),
      user_id: sellerId,
      seller_username: names.get(sellerId).username,
      seller_display_name: names.get(sellerId).displayName,
      title: random() < 0.7 ? `${pick(ADJECTIVES)} ${pick(NOUNS)}` : `${pick(NOUNS)} of the ${pick(ADJECTIVES)} ${pick(NOUNS)}`,
      artist,
      genre: GENRES[Math.floor(random() ** 1.6 * GENRES.length)],
      price_cents: Math.round(300 + random() ** 3 * 29_700),
      description: `${pick(PHRASES)} ${pick(PHRASES)}`,
      media_condition: random() < 0.05 ? null : MEDIA_GRADES[Math.floor(random() ** 1.8 * MEDIA_GRADES.length)],
      sleeve_condition: SLEEVE_GRADES[Math.floor(random() ** 1.5 * SLEEVE_GRADES.length)],
      format: pick(FORMATS),
      year: 1950 + Math.floor(random() * 76),
      label: pick(LABELS),
      status: random() < WITHDRAWN ? "withdrawn" : "available",
      created_at: created,
      photo: photoOf(i),
    };
    // Every fourth listing does not ship abroad; double albums cost more to send.
    const domestic = listing.format === "2xLP" ? 700 : 500;
    rows.push({ ...listing, ships_from: "US", shipping_domestic_cents: domestic, shipping_international_cents: i % 4 === 3 ? null : domestic + 1_500 });
  }
  return rows;
}

/** The public name of the `i`th seller, as their profile would give it. */
function sellerName(i) {
  const number = String(i + 1).padStart(3, "0");
  return { username: `seller-${number}`, displayName: i % 3 === 0 ? null : `Seller ${number}` };
}

/** The profiles of the sellers of `listings(n, seed)`, as catalog's replica of them holds them. */
export function profiles(seed = 7) {
  const random = generator(seed);
  return Array.from({ length: SELLER_COUNT }, (_, i) => ({ user_id: uuid(random), ...sellerName(i) }));
}

// One statement per chunk: the rows travel as one JSON parameter and SQLite unpacks them.
const CHUNK = 2_000;
const CATALOG_INSERT = `insert into vinyls (id, user_id, title, artist, genre, price_cents, description, image_url,
  media_condition, sleeve_condition, format, year, label, status, created_at, updated_at, ships_from, shipping_domestic_cents,
  shipping_international_cents, seller_username, seller_display_name)
  select v->>'id', v->>'user_id', v->>'title', v->>'artist', v->>'genre', v->>'price_cents', v->>'description',
    v->>'image_url', v->>'media_condition', v->>'sleeve_condition', v->>'format', v->>'year', v->>'label', v->>'status',
    v->>'created_at', v->>'created_at', v->>'ships_from', v->>'shipping_domestic_cents', v->>'shipping_international_cents',
    v->>'seller_username', v->>'seller_display_name'
  from (select value as v from json_each(?1))`;
const PROFILES_INSERT = `insert or ignore into profiles (user_id, username, display_name, country, member_since, version)
  select v->>'user_id', v->>'username', v->>'display_name', 'US', '2025-01-01T00:00:00.000Z', 1
  from (select value as v from json_each(?1))`;
const ORDERS_INSERT = `insert into vinyls (id, user_id, title, price_cents, currency, status, version)
  select v->>'id', v->>'user_id', v->>'title', v->>'price_cents', 'USD', v->>'status', 0
  from (select value as v from json_each(?1))`;

/**
 * Puts the photos into the bucket as an upload would (`<sha256>.png`, the same metadata);
 * answers each one's `imageUrl`.
 */
async function putPhotos(images) {
  const urls = [];
  for (let p = 0; p < PHOTO_COUNT; p++) {
    const bytes = recordPhoto(PHOTO_SIZE, p + 1);
    const key = `${createHash("sha256").update(bytes).digest("hex")}.png`;
    await images.put(key, bytes, { httpMetadata: { contentType: "image/png", cacheControl: "public, max-age=31536000, immutable" } });
    urls.push(`/images/${key}`);
  }
  return urls;
}

/** Inserts `rows` into catalog's listings and orders' replica, and their photos; answers how long it took. */
export async function seed({ catalog, orders, images }, rows) {
  const started = Date.now();
  const photoUrls = await putPhotos(images);
  await catalog.prepare(PROFILES_INSERT).bind(JSON.stringify(profiles())).run();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = JSON.stringify(rows.slice(i, i + CHUNK).map(({ photo, ...row }) => ({ ...row, image_url: photo === null ? null : photoUrls[photo] })));
    await catalog.prepare(CATALOG_INSERT).bind(chunk).run();
    await orders.prepare(ORDERS_INSERT).bind(chunk).run();
  }
  return Date.now() - started;
}
