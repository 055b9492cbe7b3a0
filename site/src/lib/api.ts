import { env } from "cloudflare:workers";
import { emptyTally, readServerTiming, serverTiming, type D1Tally } from "../../../workers/shared/src/d1-count";
import { log } from "../../../workers/shared/src/log";

/** What a page says when a service failed on its side or could not be reached. */
export const SOMETHING_WENT_WRONG = "Something went wrong on our side. Please try again in a moment.";

/** The service Workers whose public API the pages call. */
export type ApiBinding = "AUTH" | "CATALOG" | "ORDERS" | "PAYMENTS" | "NOTIFICATIONS";

/** An API answer that was not a success, sorted for a page to show. */
export type ApiFailure = {
  ok: false;
  /** The status the page answers with: the API's for a 4xx, 503 for its faults or silence. */
  status: number;
  /** Messages for one input, keyed by its name (only for names in the caller's `fields`). */
  fieldErrors: Record<string, string>;
  /** Messages for the whole page or form. */
  errors: string[];
  /** The API's headers (`Retry-After`…); empty when it could not be reached. */
  headers: Headers;
};

/** A page's view of an API call: what it asked for, or why not. */
export type Result<T> = ({ ok: true } & T) | ApiFailure;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` could name a record or an order at all; anything else is simply unknown. */
export const isId = (id: string | undefined): id is string => typeof id === "string" && UUID.test(id);

/** The 404 a page answers without asking the API, for an id that cannot exist. */
export function unknownId(message: string): ApiFailure {
  return { ok: false, status: 404, fieldErrors: {}, errors: [message], headers: new Headers() };
}

export type ApiCall = {
  method?: string;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, with `contentType`. */
  body?: BodyInit;
  contentType?: string;
};

/**
 * Calls `path` (with its query) on a service Worker through its binding, on behalf of the
 * visitor's `request`: addressed at the public origin, so the API sees the same host and
 * its cross-origin guard passes, and carrying the visitor's cookie and the request id.
 * Answers `null` instead of throwing when the Worker cannot be reached.
 */
export async function callApi(
  binding: ApiBinding,
  request: Request,
  path: string,
  { method = "GET", json, body, contentType }: ApiCall = {},
): Promise<Response | null> {
  const headers = new Headers({ Accept: "application/json" });
  const requestId = request.headers.get("x-request-id");
  if (requestId) headers.set("X-Request-Id", requestId);
  const cookie = request.headers.get("cookie");
  if (cookie) headers.set("Cookie", cookie);
  // The services limit some actions per client (sign-in, sign-up): the visitor's address, not ours.
  const client = request.headers.get("cf-connecting-ip");
  if (client) headers.set("CF-Connecting-IP", client);
  let payload: BodyInit | null = null;
  if (json !== undefined) {
    headers.set("Content-Type", "application/json");
    payload = JSON.stringify(json);
  } else if (body !== undefined) {
    if (contentType) headers.set("Content-Type", contentType);
    payload = body;
  }
  try {
    const res = await env[binding].fetch(new URL(path, request.url), { method, headers, body: payload });
    addD1Cost(request, res);
    return res;
  } catch (err) {
    log.error("service unreachable", { service: "storefront", binding, path, requestId, error: String(err) });
    return null;
  }
}

// What the APIs a page called reported in D1, per visitor request (gone with the request).
const d1Costs = new WeakMap<Request, D1Tally>();

function addD1Cost(request: Request, res: Response) {
  const cost = readServerTiming(res.headers.get("server-timing"));
  if (!cost) return;
  const tally = d1Costs.get(request) ?? emptyTally();
  tally.trips += cost.trips;
  tally.rowsRead += cost.rowsRead;
  tally.rowsWritten += cost.rowsWritten;
  tally.ms += cost.ms;
  d1Costs.set(request, tally);
}

/**
 * Sets the page's `Server-Timing: d1` to the sum of what the APIs it called for `request`
 * reported, so a page shows its D1 cost as the API responses do. Call it once the page's
 * API calls are done, in its frontmatter (headers cannot change once rendering streams).
 */
export function reportD1Cost(request: Request, response: { headers: Headers }) {
  // Services report their cost only where D1_TIMING asks them to; then so does the page.
  const cost = d1Costs.get(request);
  if (cost) response.headers.set("Server-Timing", serverTiming(cost));
}

type ErrorEntry = { message?: unknown; field?: unknown };

/**
 * Reads a failed answer (or `null`, a Worker that could not be reached) into messages: an
 * entry whose `field` is one of `fields` goes next to that input, every other one to the
 * whole form. A fault of the service's own is never shown as it is.
 */
export async function apiFailure(res: Response | null, fields: readonly string[] = []): Promise<ApiFailure> {
  if (!res || res.status >= 500) {
    await res?.body?.cancel();
    return { ok: false, status: 503, fieldErrors: {}, errors: [SOMETHING_WENT_WRONG], headers: res?.headers ?? new Headers() };
  }
  const fieldErrors: Record<string, string> = {};
  const errors: string[] = [];
  const payload = (await res.json().catch(() => null)) as { errors?: ErrorEntry[] } | null;
  for (const entry of payload?.errors ?? []) {
    if (typeof entry.message !== "string") continue;
    if (typeof entry.field === "string" && fields.includes(entry.field)) fieldErrors[entry.field] ??= entry.message;
    else errors.push(entry.message);
  }
  if (errors.length === 0 && Object.keys(fieldErrors).length === 0) errors.push(SOMETHING_WENT_WRONG);
  return { ok: false, status: res.status, fieldErrors, errors, headers: res.headers };
}
