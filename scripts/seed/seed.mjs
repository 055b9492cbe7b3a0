// Seeds the demo catalog through the public API, so the records go through the same
// validation and events as a seller's. Idempotent: records the demo seller already lists
// (by title and artist) are skipped.
import { RECORDS } from "./records.mjs";

export const DEMO_SELLER = { email: "demo-seller@oscillation.test", password: "spin-the-black-circle" };

const CONDITION_NOTES = {
  M: "Sealed, never played.",
  NM: "Played a handful of times; glossy, silent between tracks.",
  "VG+": "Light marks that do not affect play; a few pops on the run-in.",
  VG: "Surface noise in quiet passages, plays through without skips.",
  "G+": "Well loved: constant surface noise, but no skips.",
};

async function session(base) {
  const body = JSON.stringify(DEMO_SELLER);
  const headers = { "content-type": "application/json" };
  let res = await fetch(`${base}/api/users/signup`, { method: "POST", headers, body });
  if (res.status === 409) res = await fetch(`${base}/api/users/signin`, { method: "POST", headers, body });
  if (!res.ok) throw new Error(`demo seller sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = /session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0];
  if (!cookie) throw new Error("demo seller got no session cookie");
  return cookie;
}

export async function seed(base) {
  const cookie = await session(base);
  const mine = await fetch(`${base}/api/vinyls/mine`, { headers: { cookie } });
  if (!mine.ok) throw new Error(`listing the demo seller's records failed: ${mine.status}`);
  const listed = new Set((await mine.json()).map((v) => `${v.title}\u0000${v.artist}`));
  let created = 0;
  for (const [title, artist, genre, price, mediaCondition, sleeveCondition, year, label, format] of RECORDS) {
    if (listed.has(`${title}\u0000${artist}`)) continue;
    const description = `${year} ${label} pressing. ${CONDITION_NOTES[mediaCondition] ?? ""}`.trim();
    const res = await fetch(`${base}/api/vinyls`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ title, artist, genre, price, mediaCondition, sleeveCondition, year, label, format, description }),
    });
    if (res.status !== 201) throw new Error(`seeding "${title}" failed: ${res.status} ${await res.text()}`);
    created++;
  }
  return { created, total: RECORDS.length };
}
