import type { AstroGlobal } from "astro";
import { SESSION_COOKIE } from "../../../workers/shared/src/session";
import { callAuth, getAccount, type AuthAction } from "./auth-api";
import { formText, methodNotAllowed, readForm, seeOther, setStatus } from "./http";
import { safeNext } from "./safe-next";

/** What the sign-in and sign-up pages render. */
export type AuthFormState = {
  email: string;
  /** The username typed on the sign-up form (optional there). */
  username: string;
  fieldErrors: Record<string, string>;
  errors: string[];
  next: string;
  /** The form posts back to the page itself, keeping its `?next=`. */
  action: string;
};

const FIELDS = ["email", "password", "username"] as const;

/**
 * The server side of the sign-in and sign-up pages. A signed-in visitor goes straight to
 * `next`, unless auth says the session has ended (it was signed out or its password changed
 * elsewhere): then its cookie is dropped and the form shown. A POST calls the auth API: on
 * success the API's session cookie is relayed with a 303 to `next`; on failure the form
 * comes back with the API's messages and what was typed (never the password).
 */
export async function authFormPage(astro: AstroGlobal, action: Extract<AuthAction, "signin" | "signup">) {
  const next = safeNext(astro.url.searchParams.get("next"));
  const state: AuthFormState = {
    email: "",
    username: "",
    fieldErrors: {},
    errors: [],
    next,
    action: astro.url.pathname + astro.url.search,
  };

  if (astro.request.method === "GET" || astro.request.method === "HEAD") {
    if (astro.locals.user) {
      const current = await getAccount(astro.request);
      if (!current.ok || current.account) return { response: seeOther(next), state };
      astro.cookies.delete(SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "lax", secure: astro.url.protocol === "https:" });
    }
    return { response: null, state };
  }
  if (astro.request.method !== "POST") {
    return { response: methodNotAllowed(), state };
  }

  const form = await readForm(astro.request);
  state.email = formText(form, "email").trim();
  const password = formText(form, "password");
  const body: Record<string, string> = { email: state.email, password };
  if (action === "signup") {
    state.username = formText(form, "username").trim();
    // Left empty, the API makes one from the email.
    if (state.username) body.username = state.username;
  }
  const result = await callAuth(action, astro.request, body, FIELDS);
  if (result.ok) return { response: seeOther(next, result.setCookies), state };

  state.fieldErrors = result.fieldErrors;
  state.errors = result.errors;
  setStatus(astro.response, result.status);
  if (result.retryAfter) astro.response.headers.set("Retry-After", result.retryAfter);
  return { response: null, state };
}
