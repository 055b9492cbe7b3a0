import { env } from "cloudflare:workers";
import { log } from "../../../workers/shared/src/log";

export type AuthAction = "signup" | "signin" | "signout";

/** What a form page needs from an auth API answer. */
export type AuthResult =
  | { ok: true; status: number; setCookies: string[] }
  | {
      ok: false;
      /** The status the re-rendered page answers with. */
      status: number;
      /** Messages for one input, keyed by its name. */
      fieldErrors: Record<string, string>;
      /** Messages for the whole form. */
      errors: string[];
      retryAfter: string | null;
    };

const SOMETHING_WENT_WRONG = "Something went wrong on our side. Please try again in a moment.";

type ErrorEntry = { message?: unknown; field?: unknown };

/**
 * Calls `POST /api/users/<action>` through the AUTH service binding, addressed at the
 * public origin of `request` (so the cookie the API sets fits this site), and sorts the
 * API's errors into field errors and form errors.
 */
export async function callAuth(
  action: AuthAction,
  request: Request,
  body: Record<string, string> | null,
  fields: readonly string[] = [],
): Promise<AuthResult> {
  const headers = new Headers({ Accept: "application/json" });
  if (body) headers.set("Content-Type", "application/json");
  const requestId = request.headers.get("x-request-id");
  if (requestId) headers.set("X-Request-Id", requestId);
  const cookie = request.headers.get("cookie");
  if (cookie) headers.set("Cookie", cookie);

  let res: Response;
  try {
    res = await env.AUTH.fetch(new URL(`/api/users/${action}`, request.url), {
      method: "POST",
      headers,
      body: body ? JSON.stringify(body) : null,
    });
  } catch (err) {
    log.error("auth unreachable", { service: "storefront", action, requestId, error: String(err) });
    return { ok: false, status: 503, fieldErrors: {}, errors: [SOMETHING_WENT_WRONG], retryAfter: null };
  }

  if (res.ok) {
    await res.body?.cancel();
    return { ok: true, status: res.status, setCookies: res.headers.getSetCookie() };
  }

  const fieldErrors: Record<string, string> = {};
  const errors: string[] = [];
  if (res.status >= 500) {
    await res.body?.cancel();
    errors.push(SOMETHING_WENT_WRONG);
  } else {
    const payload = (await res.json().catch(() => null)) as { errors?: ErrorEntry[] } | null;
    for (const entry of payload?.errors ?? []) {
      if (typeof entry.message !== "string") continue;
      if (typeof entry.field === "string" && fields.includes(entry.field)) fieldErrors[entry.field] ??= entry.message;
      else errors.push(entry.message);
    }
    if (errors.length === 0 && Object.keys(fieldErrors).length === 0) errors.push(SOMETHING_WENT_WRONG);
  }
  return {
    ok: false,
    status: res.status >= 500 ? 503 : res.status,
    fieldErrors,
    errors,
    retryAfter: res.headers.get("retry-after"),
  };
}
