import { emptyTally, serverTiming } from "../../../workers/shared/src/d1-count";
import { log } from "../../../workers/shared/src/log";
import { SESSION_COOKIE } from "../../../workers/shared/src/session";
import { NO_STORE } from "../lib/http";
import { RecentCopies, type PageCopy } from "./recent-copies";
import { REQUEST_ID_HEADER, callersRequestId } from "./request-id";
import { sharedPage } from "./shared-pages";

/** Says how a page was served: `HIT`, `STALE` (while a fresh copy is made), `MISS` (rendered), `BYPASS` (signed in). */
export const CACHE_STATUS_HEADER = "X-Cache";

/** When the copy was rendered (ms since the epoch); kept in the cache, never sent. */
const STORED_AT_HEADER = "X-Edge-Stored-At";

/** A copy may be served stale, while a fresh one is made, for this many times its fresh life. */
const STALE_FACTOR = 6;
const DEFAULT_FRESH_SECONDS = 5;

type Lifetimes = { freshMs: number; staleMs: number };

/** Renders a page through the storefront (the Hono edge and Astro), given a request that already carries its request id. */
export type Render = (request: Request) => Response | Promise<Response>;

/** A shared page: the canonical URL it is rendered from, and its key in the cache. */
export type SharedPage = { url: string; key: string };

/** How the edge cache treats a request: served through the cache, passed by it, or none of its business. */
export type Verdict = ({ kind: "shared" } & SharedPage) | { kind: "bypass" } | null;

// The site is also typed for browsers, whose CacheStorage has no `default`.
const edgeCache = () => (caches as unknown as { default: Cache }).default;

let lifetimes: { from: string | undefined; value: Lifetimes | null } | undefined;

/** `EDGE_CACHE_SECONDS`: how long a copy is fresh (default 5); `0` turns the edge cache off. */
function lifetimesOf(env: Env): Lifetimes | null {
  const from = env.EDGE_CACHE_SECONDS;
  if (lifetimes?.from === from) return lifetimes.value;
  const seconds = from === undefined || from.trim() === "" ? DEFAULT_FRESH_SECONDS : Number(from);
  let value: Lifetimes | null = null;
  if (Number.isFinite(seconds) && seconds > 0) value = { freshMs: seconds * 1000, staleMs: seconds * 1000 * STALE_FACTOR };
  else if (seconds !== 0) log.warn("edge cache off: EDGE_CACHE_SECONDS is not a number of seconds", { service: "storefront", value: from });
  lifetimes = { from, value };
  return value;
}

const SESSION = new RegExp(`(?:^|;)\\s*${SESSION_COOKIE}=`);

/**
 * Only anonymous GET and HEAD requests for a shared page (home, browse, a record) go
 * through the cache. Any `session` cookie, even an expired one, passes it by: such a
 * request is neither served a shared copy nor allowed to make one.
 */
export function verdict(request: Request, env: Env): Verdict {
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  const url = new URL(request.url);
  const page = sharedPage(url);
  if (page === null || !lifetimesOf(env)) return null;
  if (SESSION.test(request.headers.get("cookie") ?? "")) return { kind: "bypass" };
  // The deployed version is part of the key, so no copy outlives the assets its HTML names.
  const version = env.CF_VERSION_METADATA?.id ?? "dev";
  return { kind: "shared", url: `${url.origin}${page}`, key: `${url.origin}/_edge-cache/${version}${page}` };
}

// Fresh copies this isolate served lately, so a busy page rarely needs even a cache lookup.
const recent = new RecentCopies(8 * 1024 * 1024);

// Renders under way in this isolate, by cache key: a visitor who misses while one is under
// way waits for it instead of starting another, and a stale copy is refreshed only once.
const underWay = new Map<string, Promise<PageCopy & { storable: boolean }>>();

/** Renders the page from its canonical URL alone: no cookie, no header of the visitor's reaches a copy others get. */
async function render(page: SharedPage, requestId: string, through: Render) {
  const res = await through(new Request(page.url, { headers: { Accept: "text/html", [REQUEST_ID_HEADER]: requestId } }));
  const body = await res.arrayBuffer();
  const headers = new Headers(res.headers);
  headers.delete(REQUEST_ID_HEADER);
  // A page that failed (non-200), set a cookie or is not HTML is answered once and never kept.
  const storable =
    res.status === 200 && !headers.has("Set-Cookie") && (headers.get("Content-Type") ?? "").startsWith("text/html");
  return { status: res.status, statusText: res.statusText, headers, body, storedAt: Date.now(), storable };
}

function renderAndStore(page: SharedPage, requestId: string, through: Render, life: Lifetimes, ctx: ExecutionContext) {
  const rendered = render(page, requestId, through);
  underWay.set(page.key, rendered);
  const stored = rendered
    .then((copy) => {
      if (!copy.storable) return;
      recent.set(page.key, copy);
      const headers = new Headers(copy.headers);
      // The Cache API keeps the copy through its stale window; freshness is judged from STORED_AT.
      headers.set("Cache-Control", `public, max-age=${Math.ceil((life.freshMs + life.staleMs) / 1000)}`);
      headers.set(STORED_AT_HEADER, String(copy.storedAt));
      return edgeCache().put(page.key, new Response(copy.body, { status: 200, headers }));
    })
    .catch((error: unknown) => log.warn("edge cache: page not stored", { service: "storefront", requestId, page: page.url, error }))
    .finally(() => {
      if (underWay.get(page.key) === rendered) underWay.delete(page.key);
    });
  ctx.waitUntil(stored);
  return rendered;
}

/** The copy the Cache API holds for `page`, or null when it has none or the lookup failed. */
async function lookUp(page: SharedPage, requestId: string): Promise<PageCopy | null> {
  try {
    const cached = await edgeCache().match(page.key);
    if (!cached) return null;
    const storedAt = Number(cached.headers.get(STORED_AT_HEADER));
    const headers = new Headers(cached.headers);
    headers.delete(STORED_AT_HEADER);
    // The runtime's own word on the lookup; X-Cache says what was served.
    headers.delete("CF-Cache-Status");
    return { status: cached.status, statusText: cached.statusText, headers, body: await cached.arrayBuffer(), storedAt };
  } catch (error) {
    log.warn("edge cache: lookup failed", { service: "storefront", requestId, page: page.url, error });
    return null;
  }
}

function answer(request: Request, copy: PageCopy, status: "HIT" | "STALE" | "MISS", requestId: string, now?: number): Response {
  const headers = new Headers(copy.headers);
  // The shared copy is for the edge alone: the same URL shows a signed-in visitor their account.
  headers.set("Cache-Control", NO_STORE);
  headers.set(CACHE_STATUS_HEADER, status);
  headers.set(REQUEST_ID_HEADER, requestId);
  // What the copy's render cost in D1 was paid once, by the visitor who missed.
  if (status !== "MISS") headers.set("Server-Timing", serverTiming(emptyTally()));
  if (now !== undefined) headers.set("Age", String(Math.floor((now - copy.storedAt) / 1000)));
  // The runtime copies a buffer body when the Response is made, so one copy serves every hit.
  const body = request.method === "HEAD" ? null : copy.body;
  return new Response(body, { status: copy.status, statusText: copy.statusText, headers });
}

/**
 * Serves a shared page with stale-while-revalidate from `caches.default`: a fresh copy as
 * `HIT`; a stale but recent one as `STALE` while one fresh copy is rendered in the
 * background; otherwise the page is rendered for this visitor (`MISS`) and kept if it may be.
 */
export async function serveShared(request: Request, page: SharedPage, env: Env, ctx: ExecutionContext, through: Render) {
  const life = lifetimesOf(env)!;
  const requestId = callersRequestId(request) ?? crypto.randomUUID();

  const near = recent.get(page.key);
  if (near && Date.now() - near.storedAt < life.freshMs) return answer(request, near, "HIT", requestId, Date.now());

  const cached = await lookUp(page, requestId);
  const now = Date.now();
  const age = cached ? now - cached.storedAt : NaN;
  if (cached && age >= 0 && age < life.freshMs + life.staleMs) {
    const stale = age >= life.freshMs;
    if (!stale) recent.set(page.key, cached);
    else if (!underWay.has(page.key)) renderAndStore(page, crypto.randomUUID(), through, life, ctx);
    return answer(request, cached, stale ? "STALE" : "HIT", requestId, now);
  }

  const joined = underWay.get(page.key);
  let copy = await (joined ?? renderAndStore(page, requestId, through, life, ctx));
  // Only a page fit to keep is shared with those who waited for it; anything else is theirs alone.
  if (joined && !copy.storable) copy = await render(page, requestId, through);
  return answer(request, copy, "MISS", requestId);
}
