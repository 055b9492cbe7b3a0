import type { AstroGlobal } from "astro";
import { callAuth, type AuthAction } from "./auth-api";
import { formText, readForm, seeOther, setStatus } from "./http";
import { safeNext } from "./safe-next";

/** What the sign-in and sign-up pages render. */
export type AuthFormState = {
  email: string;
  fieldErrors: Record<string, string>;
  errors: string[];
  next: string;
  /** The form posts back to the page itself, keeping its `?next=`. */
  action: string;
};

const FIELDS = ["email", "password"] as const;

/**
 * The server side of the sign-in and sign-up pages. A signed-in visitor goes straight to
 * `next`. A POST calls the auth API: on success the API's session cookie is relayed with a
 * 303 to `next`; on failure the form comes back with the API's messages and the typed email.
 */
export async function authFormPage(astro: AstroGlobal, action: Extract<AuthAction, "signin" | "signup">) {
  const next = safeNext(astro.url.searchParams.get("next"));
  const state: AuthFormState = {
    email: "",
    fieldErrors: {},
    errors: [],
    next,
    action: astro.url.pathname + astro.url.search,
  };

  if (astro.request.method === "GET" || astro.request.method === "HEAD") {
    if (astro.locals.user) return { response: seeOther(next), state };
    return { response: null, state };
  }
  if (astro.request.method !== "POST") {
    return { response: new Response(null, { status: 405, headers: { Allow: "GET, HEAD, POST" } }), state };
  }

  const form = await readForm(astro.request);
  state.email = formText(form, "email").trim();
  const password = formText(form, "password");
  const result = await callAuth(action, astro.request, { email: state.email, password }, FIELDS);
  if (result.ok) return { response: seeOther(next, result.setCookies), state };

  state.fieldErrors = result.fieldErrors;
  state.errors = result.errors;
  setStatus(astro.response, result.status);
  if (result.retryAfter) astro.response.headers.set("Retry-After", result.retryAfter);
  return { response: null, state };
}
