import type { Context, MiddlewareHandler } from "hono";
import { errorResponse } from "./errors";

/**
 * Request bodies the edge refuses, or answers without reading, are read to their end first.
 *
 * An answer sent while the client is still uploading makes the runtime close the connection
 * with the rest of the upload unread. Under `wrangler dev` the client then gets no answer at
 * all (a reset, or `500 Network connection lost` from wrangler's proxy) instead of the 413 or
 * 404 meant for it. Reading the rest costs time on the network, no work: the bytes are dropped
 * as they arrive.
 *
 * Cloudflare refuses bodies over 100 MB (its smallest plan's limit) before a Worker runs, so
 * nothing larger ever needs reading; past that the stream is cancelled and the client may see
 * the connection close.
 */
export const MAX_DRAINED_BYTES = 100 * 1024 * 1024;

/** Reads what is left of `body` and drops it; stops at `limit` bytes. Never throws. */
export async function drain(body: ReadableStream<Uint8Array> | null, limit = MAX_DRAINED_BYTES): Promise<void> {
  if (!body || body.locked) return;
  await dropRest(body.getReader(), limit);
}

async function dropRest(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number, alreadyRead = 0) {
  let read = alreadyRead;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
      if (read > limit) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away mid-upload: there is nobody left to answer.
  }
}

/**
 * The edge's answer is ready: any request body nobody read (a 404, a refusal before the body
 * mattered, a page that takes no form) is read to its end before the answer goes out.
 */
export async function afterUnreadBody(request: Request, response: Response): Promise<Response> {
  if (request.body && !request.bodyUsed) await drain(request.body);
  return response;
}

const tooLarge = (c: Context) => errorResponse(c, 413, "Request body too large");

/**
 * Refuses bodies over `maxBytes` with 413 in the error shape, after reading them to their end.
 * A body with a `Content-Length` under the limit passes untouched (streamed on). One sent
 * without a length is read here in full first, so a service refusing it part-way can never
 * cut a stream the edge is still forwarding.
 */
export function bodyLimit(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = c.req.raw.headers.has("transfer-encoding") ? null : c.req.raw.headers.get("content-length");
    if (declared !== null) {
      if (Number(declared) <= maxBytes) return next();
      await drain(body);
      return tooLarge(c);
    }
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        return errorResponse(c, 400, "The request body could not be read");
      }
      if (chunk.done) break;
      size += chunk.value.byteLength;
      if (size > maxBytes) {
        await dropRest(reader, MAX_DRAINED_BYTES, size);
        return tooLarge(c);
      }
      chunks.push(chunk.value);
    }
    const buffered = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      buffered.set(chunk, at);
      at += chunk.byteLength;
    }
    c.req.raw = new Request(c.req.raw, { body: buffered });
    return next();
  };
}
