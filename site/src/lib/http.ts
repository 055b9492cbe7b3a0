import { nextQuery } from "./safe-next";

/** Never stored by a browser or a shared cache: anything with an account, an order or a hold. */
export const NO_STORE = "private, no-store";

/** A 303 to `location` carrying the given `Set-Cookie` headers (relayed from the auth API). */
export function seeOther(location: string, setCookies: readonly string[] = []): Response {
  const headers = new Headers({ Location: location, "Cache-Control": NO_STORE });
  for (const cookie of setCookies) headers.append("Set-Cookie", cookie);
  return new Response(null, { status: 303, headers });
}

/** A 303 to the sign-in page that comes back to `pathAndQuery` afterwards. */
export function toSignIn(pathAndQuery: string): Response {
  return seeOther(`/signin${nextQuery(pathAndQuery)}`);
}

/** A 405 naming the methods the page answers: a form page takes GET, HEAD and POST, a view GET and HEAD. */
export function methodNotAllowed(allow: "GET, HEAD, POST" | "GET, HEAD" = "GET, HEAD, POST"): Response {
  return new Response(null, { status: 405, headers: { Allow: allow } });
}

/** The string value of a form field, `""` when missing or a file. */
export function formText(form: FormData | null, name: string): string {
  const value = form?.get(name);
  return typeof value === "string" ? value : "";
}

/** The submitted form, or `null` when the body is not a form (or is malformed). */
export async function readForm(request: Request): Promise<FormData | null> {
  try {
    return await request.formData();
  } catch {
    return null;
  }
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Sets a page's status with its matching reason phrase (Astro keeps "OK" otherwise). */
export function setStatus(response: ResponseInit, status: number) {
  response.status = status;
  response.statusText = REASONS[status] ?? "";
}
