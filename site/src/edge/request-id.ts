import { withHeader } from "./response-headers";

export const REQUEST_ID_HEADER = "X-Request-Id";

// The same shape Hono's requestId() middleware accepts in the service Workers.
const VALID_ID = /^[\w\-=]{1,255}$/;

/** The caller's `X-Request-Id` when well-formed, else null. */
export function callersRequestId(request: Request): string | null {
  const id = request.headers.get(REQUEST_ID_HEADER);
  return id && VALID_ID.test(id) ? id : null;
}

/** The request with an `X-Request-Id`: the caller's when well-formed, a fresh UUID otherwise. */
export function ensureRequestId(request: Request): Request {
  if (callersRequestId(request)) return request;
  const headers = new Headers(request.headers);
  headers.set(REQUEST_ID_HEADER, crypto.randomUUID());
  // Same method, URL, body stream and everything else; only the headers change.
  return new Request(request, { headers });
}

/** Echoes the request id on the response so a user's report can be matched to the logs. */
export function echoRequestId(request: Request, response: Response): Response {
  if (response.headers.has(REQUEST_ID_HEADER) || response.status === 101) return response;
  const id = request.headers.get(REQUEST_ID_HEADER);
  return id ? withHeader(response, REQUEST_ID_HEADER, id) : response;
}
