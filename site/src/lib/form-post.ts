import type { AstroGlobal } from "astro";
import type { ApiFailure, Result } from "./api";
import { methodNotAllowed, NO_STORE, seeOther, setStatus, toSignIn } from "./http";

/**
 * The steps every page a form posts to takes, around `send` (the API call). A GET or HEAD
 * goes back to `back`, another method is 405, a signed-out visitor signs in first and
 * comes back. A success goes to `done`; an unknown id is the shop's 404; a session that
 * ended meanwhile signs in again. Any other refusal is answered with the API's status,
 * never cached, and returned: the page shows itself again with it.
 */
export async function formPost<T>(astro: AstroGlobal, { back, done }: { back: string; done: string }, send: () => Promise<Result<T>>): Promise<Response | ApiFailure> {
  const { method } = astro.request;
  if (method === "GET" || method === "HEAD") return seeOther(back);
  if (method !== "POST") return methodNotAllowed();
  if (!astro.locals.user) return toSignIn(back);
  const sent = await send();
  if (sent.ok) return seeOther(done);
  if (sent.status === 404) return astro.rewrite("/404");
  if (sent.status === 401) return toSignIn(back);
  setStatus(astro.response, sent.status);
  astro.response.headers.set("Cache-Control", NO_STORE);
  return sent;
}
