import { describe, expect, it } from "vitest";
import { api, base, eventually, signUp } from "./client";

// The system under test runs with the default EDGE_CACHE_SECONDS: a copy is fresh for
// 5 seconds, then served stale (and refreshed) for 30 more.

type Vinyl = { id: string; title: string };

/** A word no other test uses, so its search page has a cache entry of its own. */
const uniqueWord = () => `edge${crypto.randomUUID().replace(/[^a-f]/g, "").slice(0, 10)}`;

async function page(path: string, init: RequestInit & { cookie?: string } = {}) {
  const res = await api(path, init);
  return { status: res.status, cache: res.headers.get("x-cache"), age: res.headers.get("age"), headers: res.headers, body: await res.text() };
}

/** Asks for `path` until `check` accepts the answer (the cache is filled after the answer is sent). */
const pageUntil = (path: string, check: (p: Awaited<ReturnType<typeof page>>) => boolean, timeoutMs = 10_000, init = {}) =>
  eventually(async () => {
    const p = await page(path, init);
    return check(p) ? p : undefined;
  }, timeoutMs);

async function listRecord(title: string) {
  const seller = await signUp("seller");
  const res = await api("/api/vinyls", { method: "POST", cookie: seller.cookie, json: { title, genre: "Jazz", price: 20 } });
  expect(res.status).toBe(201);
  return { seller, vinyl: (await res.json()) as Vinyl };
}

describe("the edge cache", () => {
  it("renders an anonymous page once, then serves the kept copy", async () => {
    const path = `/vinyls?q=${uniqueWord()}`;
    const first = await page(path);
    expect(first.status).toBe(200);
    expect(first.cache).toBe("MISS");
    expect(first.headers.get("cache-control")).toBe("private, no-store");

    const hit = await pageUntil(path, (p) => p.cache === "HIT");
    expect(hit.body).toBe(first.body);
    expect(hit.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));
    // The render's D1 cost is reported once, by the miss; a kept copy costs none.
    expect(first.headers.get("server-timing")).toMatch(/d1;.*trips=1 /);
    expect(hit.headers.get("server-timing")).toMatch(/d1;.*trips=0 /);

    const head = await api(path, { method: "HEAD" });
    expect(head.headers.get("x-cache")).toBe("HIT");
    expect(await head.text()).toBe("");

    await pageUntil("/", (p) => p.cache === "HIT");
  });

  it("keeps one copy per page, whatever order or stray parameters its query has", async () => {
    const word = uniqueWord();
    expect((await page(`/vinyls?q=${word}&genre=Jazz&condition=&sort=`)).cache).toBe("MISS");
    const same = await pageUntil(`/vinyls?utm_source=news&genre=Jazz&q=+${word}+&minPrice=`, (p) => p.cache !== "MISS");
    expect(same.cache).toBe("HIT");
    // The kept copy was rendered from the canonical query alone: nothing of either visitor's URL leaks in.
    expect(same.body).not.toContain("utm_source");
    expect(same.body).toContain(`value="${word}"`);
    expect((await page(`/vinyls?q=${word}&genre=Rock`)).cache).toBe("MISS");
  });

  it("serves a stale copy while it refreshes it, so a new listing shows a few seconds later", async () => {
    const word = uniqueWord();
    const path = `/vinyls?q=${word}`;
    expect((await page(path)).body).toContain("No records match");
    const { vinyl } = await listRecord(`Edge cache ${word}`);

    // Still the copy made before the listing: anonymous pages may lag by the TTL.
    const cached = await page(path);
    expect(["HIT", "STALE"]).toContain(cached.cache);
    expect(cached.body).not.toContain(vinyl.id);

    if (cached.cache === "HIT") {
      const stale = await pageUntil(path, (p) => p.cache === "STALE");
      expect(stale.body).not.toContain(vinyl.id);
      expect(Number(stale.age)).toBeGreaterThanOrEqual(5);
      // What the cache keeps about a copy stays in the cache.
      expect(stale.headers.has("x-edge-stored-at")).toBe(false);
      expect(stale.headers.has("cf-cache-status")).toBe(false);
    }

    const fresh = await pageUntil(path, (p) => p.cache === "HIT" && p.body.includes(vinyl.id), 5_000);
    expect(Number(fresh.age)).toBeLessThan(5);
  });

  it("never serves a signed-in visitor a shared copy, nor keeps theirs", async () => {
    const path = `/vinyls?q=${uniqueWord()}`;
    const shopper = await signUp("shopper");

    const signedIn = await page(path, { cookie: shopper.cookie });
    expect(signedIn.cache).toBe("BYPASS");
    expect(signedIn.body).toContain(shopper.username);

    const anonymous = await page(path);
    expect(anonymous.cache).toBe("MISS");
    expect(anonymous.body).not.toContain(shopper.username);
    await pageUntil(path, (p) => p.cache === "HIT");

    const again = await page(path, { cookie: shopper.cookie });
    expect(again.cache).toBe("BYPASS");
    expect(again.body).toContain(shopper.username);
    // An expired or forged session is anonymous, but still passes the cache by.
    expect((await page(path, { cookie: "session=not-a-token" })).cache).toBe("BYPASS");
  });

  it("never keeps a page that failed", async () => {
    const path = `/vinyls?q=${uniqueWord()}&sort=cheapest`;
    const refused = await page(path);
    expect(refused.status).toBe(400);
    expect(refused.cache).toBe("MISS");
    expect((await page(path)).cache).toBe("MISS");
    expect((await page(`/vinyls/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it("lets nobody buy a reserved record from a cached page: Buy asks the orders service", async () => {
    const { vinyl } = await listRecord(`Edge cache hold ${uniqueWord()}`);
    const recordPage = `/vinyls/${vinyl.id}`;
    const buyForm = `action="/vinyls/${vinyl.id}/buy"`;
    const first = await page(recordPage);
    expect(first.cache).toBe("MISS");
    expect(first.body).toContain(buyForm);

    const buyer = await signUp("buyer");
    await eventually(async () => {
      const res = await api("/api/orders", { method: "POST", cookie: buyer.cookie, json: { vinylId: vinyl.id } });
      return res.status === 201 ? true : undefined;
    });

    // The record is held now, yet the copy kept from before still offers it.
    const cached = await page(recordPage);
    expect(["HIT", "STALE"]).toContain(cached.cache);
    expect(cached.body).toContain(buyForm);

    const rival = await signUp("rival");
    const bought = await api(`${recordPage}/buy`, {
      method: "POST",
      cookie: rival.cookie,
      headers: { origin: base, "content-type": "application/x-www-form-urlencoded" },
      body: "",
      redirect: "manual",
    });
    expect(bought.status).toBe(409);
    const refusal = await bought.text();
    expect(refusal).toContain("Vinyl is not available");
    expect(refusal).not.toContain(buyForm);
    const rivalsOrders = (await (await api("/api/orders", { cookie: rival.cookie })).json()) as unknown[];
    expect(rivalsOrders).toEqual([]);
  });
});
