import { apiFailure, callApi } from "./api";

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
  const res = await callApi("AUTH", request, `/api/users/${action}`, { method: "POST", json: body ?? undefined });
  if (res?.ok) {
    await res.body?.cancel();
    return { ok: true, status: res.status, setCookies: res.headers.getSetCookie() };
  }
  const { status, fieldErrors, errors, headers } = await apiFailure(res, fields);
  return { ok: false, status, fieldErrors, errors, retryAfter: headers.get("retry-after") };
}
