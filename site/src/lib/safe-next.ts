/**
 * Where to send the browser after signing in: the `next` path when it stays on this
 * origin (a relative path such as `/orders/1?x=2`), else `/`. Refuses absolute URLs,
 * protocol-relative `//host` (also when dot segments only make it so), backslash tricks
 * and control characters.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return "/";
  const base = "http://same.invalid";
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return "/";
  }
  if (url.origin !== base) return "/";
  // Judge the path as it will be sent: `/.//evil`, `/a/..//evil` and `/%2e%2e//evil`
  // normalise to `//evil`, which a browser reads as another host.
  if (url.pathname.startsWith("//")) return "/";
  // Back to the account pages themselves would be a loop (or a GET on a POST-only route).
  if (["/signin", "/signup", "/signout"].includes(url.pathname)) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * A `next` query for links to the sign-in pages, so the visitor comes back to `pathAndQuery`.
 * Slashes stay readable (`?next=/vinyls/new`); they need no escaping in a query.
 */
export function nextQuery(pathAndQuery: string): string {
  const next = safeNext(pathAndQuery);
  return next === "/" ? "" : `?next=${encodeURIComponent(next).replaceAll("%2F", "/")}`;
}
