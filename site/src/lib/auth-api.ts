import { apiFailure, callApi, type Result } from "./api";

export type AuthAction = "signup" | "signin" | "signout" | "currentuser/password" | "password-reset" | "password-reset/confirm";

/** The signed-in user's own account, as `GET /api/users/currentuser` answers it. */
export type Account = {
  id: string;
  email: string;
  username: string;
  displayName: string | null;
  country: string | null;
  bio: string | null;
  memberSince: string;
};

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

/**
 * The visitor's account, or `null` when auth says their session is over (signed out, or
 * ended by a password change elsewhere), which the storefront cannot tell from the token alone.
 */
export async function getAccount(request: Request): Promise<Result<{ account: Account | null }>> {
  const res = await callApi("AUTH", request, "/api/users/currentuser");
  if (!res?.ok) return apiFailure(res);
  const { currentUser } = (await res.json()) as { currentUser: Account | null };
  return { ok: true, account: currentUser };
}

/** What the profile form sends: every field, `""` for none. */
export type ProfileInput = { displayName: string; country: string; bio: string };

/**
 * `PATCH /api/users/currentuser`; the API's field errors are kept for the inputs named in `fields`.
 * `setCookies` is the fresh session cookie auth sets when the country changed, which the
 * pages read from the token: the browser must get it.
 */
export async function updateProfile(
  request: Request,
  input: ProfileInput,
  fields: readonly string[],
): Promise<Result<{ account: Account; setCookies: string[] }>> {
  const res = await callApi("AUTH", request, "/api/users/currentuser", { method: "PATCH", json: input });
  if (!res?.ok) return apiFailure(res, fields);
  return { ok: true, account: (await res.json()) as Account, setCookies: res.headers.getSetCookie() };
}
