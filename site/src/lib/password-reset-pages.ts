import type { AstroGlobal } from "astro";
import { callAuth } from "./auth-api";
import { formText, methodNotAllowed, NO_STORE, readForm, seeOther, setStatus } from "./http";

/** What the two "Forgot password" pages render: what was typed (never a password) and what the API said. */
export type ResetFormState = {
  email: string;
  token: string;
  fieldErrors: Record<string, string>;
  errors: string[];
  /** The request was accepted (`/forgot-password?sent`): the same words whatever the email. */
  sent: boolean;
  /** The link cannot be used (unknown, used, expired): the page offers to ask again. */
  badLink: boolean;
};

type Page = { response: Response | null; state: ResetFormState };

const blank = (astro: AstroGlobal): ResetFormState => ({
  email: "",
  token: astro.url.searchParams.get("token") ?? "",
  fieldErrors: {},
  errors: [],
  sent: astro.url.searchParams.has("sent"),
  badLink: false,
});

/** The methods a form page answers; anything else is 405. */
function notAllowed(astro: AstroGlobal): Response | null {
  const method = astro.request.method;
  if (method === "GET" || method === "HEAD" || method === "POST") return null;
  return methodNotAllowed();
}

/**
 * `/forgot-password`: a plain form posting the email to `POST /api/users/password-reset`,
 * then a 303 to `?sent`, which says the same whatever the email (the API answers alike). An
 * invalid email or the per-client limit comes back on the form.
 */
export async function forgotPasswordPage(astro: AstroGlobal): Promise<Page> {
  const state = blank(astro);
  astro.response.headers.set("Cache-Control", NO_STORE);
  const refused = notAllowed(astro);
  if (refused || astro.request.method !== "POST") return { response: refused, state };

  const form = await readForm(astro.request);
  state.email = formText(form, "email").trim();
  state.sent = false;
  const result = await callAuth("password-reset", astro.request, { email: state.email }, ["email"]);
  if (result.ok) return { response: seeOther("/forgot-password?sent"), state };
  state.fieldErrors = result.fieldErrors;
  state.errors = result.errors;
  setStatus(astro.response, result.status);
  if (result.retryAfter) astro.response.headers.set("Retry-After", result.retryAfter);
  return { response: null, state };
}

/**
 * `/reset-password?token=…`: the emailed link's page, a new-password form carrying the token
 * in a hidden field. Success signs the browser in (the API's fresh session cookie is relayed)
 * with a 303 to the account page; a link that cannot be used says so and offers a new one.
 */
export async function resetPasswordPage(astro: AstroGlobal): Promise<Page> {
  const state = blank(astro);
  astro.response.headers.set("Cache-Control", NO_STORE);
  // The token is a secret: the page never tells another site where it came from.
  astro.response.headers.set("Referrer-Policy", "no-referrer");
  const refused = notAllowed(astro);
  if (refused) return { response: refused, state };
  if (astro.request.method !== "POST") {
    state.badLink = !state.token;
    return { response: null, state };
  }

  const form = await readForm(astro.request);
  state.token = formText(form, "token");
  const body = { token: state.token, newPassword: formText(form, "newPassword") };
  const result = await callAuth("password-reset/confirm", astro.request, body, ["token", "newPassword"]);
  if (result.ok) return { response: seeOther("/account?saved=reset", result.setCookies), state };
  state.badLink = Boolean(result.fieldErrors.token);
  state.fieldErrors = result.fieldErrors;
  state.errors = result.errors;
  setStatus(astro.response, result.status);
  return { response: null, state };
}
