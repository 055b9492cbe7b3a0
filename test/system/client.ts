import { inject } from "vitest";
import { newClientAddress } from "../support/client-address.mjs";

export const base = inject("baseUrl");

/** A shopper with a cookie jar of one cookie: the session. */
export async function signUp(prefix = "shopper") {
  const email = `${prefix}-${crypto.randomUUID()}@example.com`;
  const res = await fetch(`${base}/api/users/signup`, {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": newClientAddress() },
    body: JSON.stringify({ email, password: "needle-drop-42" }),
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  const cookie = /session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")![0];
  const { id, username } = (await res.json()) as { id: string; username: string };
  return { id, email, username, cookie };
}

export function api(path: string, init: RequestInit & { cookie?: string; json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  if (init.cookie) headers.set("cookie", init.cookie);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  return fetch(`${base}${path}`, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
}

/** Polls until `check` returns a value, for effects that travel over queues. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
