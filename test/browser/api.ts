import { newClientAddress } from "../support/client-address.mjs";
import { base } from "./shop";

/** A seller's session made through the API, for records a journey needs but does not list itself. */
export async function apiSeller(prefix: string): Promise<string> {
  const res = await fetch(`${base}/api/users/signup`, {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": newClientAddress() },
    body: JSON.stringify({ email: `${prefix}-${crypto.randomUUID()}@example.com`, password: "needle-drop-42" }),
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  return /session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")![0];
}

export type NewVinyl = {
  title: string;
  artist: string;
  genre: string;
  price: number;
  mediaCondition?: string;
  sleeveCondition?: string;
  year?: number;
  label?: string;
  format?: string;
  description?: string;
};

export async function apiList(cookie: string, vinyl: NewVinyl): Promise<{ id: string }> {
  const res = await fetch(`${base}/api/vinyls`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify(vinyl),
  });
  if (res.status !== 201) throw new Error(`listing "${vinyl.title}" failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}
