import type { AstroGlobal } from "astro";
import { SESSION_COOKIE } from "../../../workers/shared/src/session";
import { callAuth, getAccount, updateProfile, type Account, type ProfileInput } from "./auth-api";
import { formText, methodNotAllowed, NO_STORE, readForm, seeOther, setStatus, toSignIn } from "./http";

/** A form of the account page: what was typed, and what the API said about it. */
export type FormState<V> = { values: V; fieldErrors: Record<string, string>; errors: string[] };

/** What the account page renders. */
export type AccountPageState = {
  account: Account | null;
  profile: FormState<ProfileInput>;
  password: FormState<Record<string, never>>;
  /**
   * The success message after a POST-redirect-GET (`?saved=profile` or `?saved=password`),
   * or after a password set with an emailed link (`?saved=reset`).
   */
  saved: "profile" | "password" | "reset" | null;
  /** Why the account could not be shown at all. */
  errors: string[];
};

const PROFILE_FIELDS = ["displayName", "country", "bio"] as const;
const PASSWORD_FIELDS = ["currentPassword", "newPassword"] as const;

const profileValues = (account: Account | null): ProfileInput => ({
  displayName: account?.displayName ?? "",
  country: account?.country ?? "",
  bio: account?.bio ?? "",
});

/** Sends the visitor to sign in, dropping a cookie whose session auth says is over. */
function signInAgain(astro: AstroGlobal): Response {
  const response = toSignIn(astro.url.pathname);
  const secure = astro.url.protocol === "https:" ? "; Secure" : "";
  response.headers.append("Set-Cookie", `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure}`);
  return response;
}

type Page = { response: Response | null; state: AccountPageState };

/**
 * The server side of `/account`: the profile form and the password form, each a plain form
 * post with a hidden `form` field naming it. Success is a 303 back to the page with
 * `?saved=…` (the password change relays its fresh session cookie), failure the page again
 * with the API's messages beside their fields and what was typed (never a password).
 * Signed-out visitors, and sessions auth has ended, go to sign in.
 */
export async function accountPage(astro: AstroGlobal): Promise<Page> {
  const saved = astro.url.searchParams.get("saved");
  const state: AccountPageState = {
    account: null,
    profile: { values: profileValues(null), fieldErrors: {}, errors: [] },
    password: { values: {}, fieldErrors: {}, errors: [] },
    saved: saved === "profile" || saved === "password" || saved === "reset" ? saved : null,
    errors: [],
  };
  astro.response.headers.set("Cache-Control", NO_STORE);
  const method = astro.request.method;
  if (method !== "GET" && method !== "HEAD" && method !== "POST") {
    return { response: methodNotAllowed(), state };
  }
  if (!astro.locals.user) return { response: toSignIn(astro.url.pathname), state };

  const current = await getAccount(astro.request);
  if (!current.ok) {
    state.errors = current.errors;
    setStatus(astro.response, current.status);
    return { response: null, state };
  }
  if (!current.account) return { response: signInAgain(astro), state };
  state.account = current.account;
  state.profile.values = profileValues(current.account);
  if (method !== "POST") return { response: null, state };

  state.saved = null;
  const form = await readForm(astro.request);
  const which = formText(form, "form");
  if (!form || (which !== "profile" && which !== "password")) {
    state.errors = ["The form could not be read. Please try again."];
    setStatus(astro.response, 400);
    return { response: null, state };
  }

  if (which === "profile") {
    state.profile.values = { displayName: formText(form, "displayName"), country: formText(form, "country"), bio: formText(form, "bio") };
    const result = await updateProfile(astro.request, state.profile.values, PROFILE_FIELDS);
    if (result.ok) return { response: seeOther("/account?saved=profile", result.setCookies), state };
    if (result.status === 401) return { response: signInAgain(astro), state };
    state.profile.fieldErrors = result.fieldErrors;
    state.profile.errors = result.errors;
    setStatus(astro.response, result.status);
    return { response: null, state };
  }

  const body = { currentPassword: formText(form, "currentPassword"), newPassword: formText(form, "newPassword") };
  const result = await callAuth("currentuser/password", astro.request, body, PASSWORD_FIELDS);
  if (result.ok) return { response: seeOther("/account?saved=password", result.setCookies), state };
  if (result.status === 401) return { response: signInAgain(astro), state };
  state.password.fieldErrors = result.fieldErrors;
  state.password.errors = result.errors;
  setStatus(astro.response, result.status);
  if (result.retryAfter) astro.response.headers.set("Retry-After", result.retryAfter);
  return { response: null, state };
}
