// Seeds the demo catalog through the public API, so the records go through the same
// validation and events as a seller's. Idempotent: records the demo seller already lists
// (by title and artist) are skipped.
import { RECORDS } from "./records.mjs";

export const DEMO_SELLER = { email: "demo-seller@oscillation.test", password: "spin-the-black-circle", username: "demo-seller" };

/** The demo seller's public profile (their page is /sellers/demo-seller). */
export const DEMO_PROFILE = {
  displayName: "Oscillation Demo Crates",
  country: "US",
  bio: "Second-hand records from every genre, graded honestly and packed in stiff mailers.",
};

/**
 * Shipping for the `i`th demo record: from the US, more for double albums, and every fourth
 * record not shipped abroad, so the shop shows both kinds.
 */
export function demoShipping(i, format) {
  const shippingDomestic = format === "2xLP" ? 7.5 : 4.99;
  return { shipsFrom: "US", shippingDomestic, shippingInternational: i % 4 === 3 ? null : format === "2xLP" ? 24 : 18.5 };
}

const CONDITION_NOTES = {
  M: "Sealed, never played.",
  NM: "Played a handful of times; glossy, silent between tracks.",
  "VG+": "Light marks that do not affect play; a few pops on the run-in.",
  VG: "Surface noise in quiet passages, plays through without skips.",
  "G+": "Well loved: constant surface noise, but no skips.",
};

async function session(base) {
  const headers = { "content-type": "application/json" };
  let res = await fetch(`${base}/api/users/signup`, { method: "POST", headers, body: JSON.stringify(DEMO_SELLER) });
  if (res.status === 409) {
    const { email, password } = DEMO_SELLER;
    res = await fetch(`${base}/api/users/signin`, { method: "POST", headers, body: JSON.stringify({ email, password }) });
  }
  if (!res.ok) throw new Error(`demo seller sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = /session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0];
  if (!cookie) throw new Error("demo seller got no session cookie");
  return cookie;
}

/** Gives the demo seller their display name, country and bio; an accounts service without profiles answers 404, and is left be. */
async function profile(base, cookie) {
  const res = await fetch(`${base}/api/users/currentuser`, {
    method: "PATCH",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify(DEMO_PROFILE),
  });
  await res.body?.cancel();
  if (!res.ok && res.status !== 404) throw new Error(`demo seller's profile failed: ${res.status}`);
}

export async function seed(base) {
  const cookie = await session(base);
  await profile(base, cookie);
  const mine = await fetch(`${base}/api/vinyls/mine`, { headers: { cookie } });
  if (!mine.ok) throw new Error(`listing the demo seller's records failed: ${mine.status}`);
  const listed = new Set((await mine.json()).map((v) => `${v.title}\u0000${v.artist}`));
  let created = 0;
  for (const [i, [title, artist, genre, price, mediaCondition, sleeveCondition, year, label, format]] of RECORDS.entries()) {
    if (listed.has(`${title}\u0000${artist}`)) continue;
    const description = `${year} ${label} pressing. ${CONDITION_NOTES[mediaCondition] ?? ""}`.trim();
    const shipping = demoShipping(i, format);
    const res = await fetch(`${base}/api/vinyls`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ title, artist, genre, price, mediaCondition, sleeveCondition, year, label, format, description, ...shipping }),
    });
    if (res.status !== 201) throw new Error(`seeding "${title}" failed: ${res.status} ${await res.text()}`);
    created++;
  }
  return { created, total: RECORDS.length };
}
