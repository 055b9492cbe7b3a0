import http from "node:http";
import { inject } from "vitest";
import { newClientAddress } from "../support/client-address.mjs";

/** The public origin of the system under test (test/system/start-system.ts). */
export const base = inject("baseUrl");
const origin = new URL(base);

export type Sent = {
  method: string;
  /** Sent exactly as written: no normalisation of `..`, `%2e` or backslashes, unlike fetch. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Streams the body in pieces without a Content-Length, as a client that does not know its size. */
  chunked?: boolean;
};

export type Answer = { status: number; headers: http.IncomingHttpHeaders; text: string };

// Keep-alive: a thousand requests should not cost a thousand TCP handshakes.
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/**
 * One raw HTTP/1.1 request to the system. The system must answer every request, however
 * large its body: it reads an upload it refuses to its end before answering, so no answer
 * is lost to a connection closed mid-upload. The one retry is the transport's: a kept-alive
 * connection the server closed as idle just as it was reused fails before anything reached
 * the system, and is sent again once on a fresh connection.
 */
export async function request(sent: Sent): Promise<Answer> {
  try {
    return await requestOnce(sent, false);
  } catch (error) {
    if (!(error as { reusedSocket?: boolean }).reusedSocket) throw error;
    return requestOnce(sent, true);
  }
}

function requestOnce(sent: Sent, fresh: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = typeof sent.body === "string" ? Buffer.from(sent.body, "utf8") : sent.body ? Buffer.from(sent.body) : undefined;
    // Each request from a client of its own unless it names one: the per-client limits are
    // not what most requests here attack, and a test of a limit names its client.
    const headers: Record<string, string> = { host: origin.host, "cf-connecting-ip": newClientAddress(), ...sent.headers };
    if (body && !sent.chunked) headers["content-length"] = String(body.byteLength);
    // workerd under `wrangler dev` can take a streamed DELETE body for no body and then read
    // its bytes as the next request on the same connection; a streamed request gets its own.
    if (sent.chunked) headers.connection = "close";
    let answered = false;
    const req = http.request(
      { host: origin.hostname, port: origin.port, method: sent.method, path: sent.path, headers, agent: fresh ? false : agent },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", (error) => {
      if (!answered) reject(Object.assign(error, { reusedSocket: req.reusedSocket && (error as NodeJS.ErrnoException).code === "ECONNRESET" }));
    });
    if (body && sent.chunked) {
      for (let at = 0; at < body.byteLength; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

/** A JSON request the ordinary way, for setting up and reading back state. */
export async function api(method: string, path: string, opts: { cookie?: string; json?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.json !== undefined) headers["content-type"] = "application/json";
  const answer = await request({ method, path, headers, body: opts.json === undefined ? undefined : JSON.stringify(opts.json) });
  return { ...answer, json: <T = unknown>() => JSON.parse(answer.text) as T };
}

/** What is wrong with an error answer, measured against the one error body of shared/API.md; null when nothing. */
export function errorShapeProblem(answer: Answer): string | null {
  const type = String(answer.headers["content-type"] ?? "");
  if (!/^application\/json\b/.test(type)) return `content-type ${JSON.stringify(type)}, not JSON`;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `body is not JSON: ${answer.text.slice(0, 120)}`;
  }
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(body) || Object.keys(body).join() !== "errors") return `body is not {"errors": […]}: ${answer.text.slice(0, 200)}`;
  const errors = body.errors;
  if (!Array.isArray(errors) || errors.length === 0) return `"errors" is not a non-empty array: ${answer.text.slice(0, 200)}`;
  for (const e of errors) {
    if (!isObject(e)) return `an error entry is not an object: ${JSON.stringify(e)}`;
    const extra = Object.keys(e).filter((k) => k !== "message" && k !== "field");
    if (extra.length > 0) return `an error entry has ${extra.join(", ")}: ${JSON.stringify(e)}`;
    if (typeof e.message !== "string" || e.message.length === 0) return `an error entry has no message: ${JSON.stringify(e)}`;
    if ("field" in e && (typeof e.field !== "string" || e.field.length === 0)) return `an error entry has a bad field: ${JSON.stringify(e)}`;
  }
  if (answer.status >= 500 && !(errors.length === 1 && errors[0].message === "Something went wrong")) {
    return `a ${answer.status} that says more than "Something went wrong": ${answer.text.slice(0, 200)}`;
  }
  return null;
}

/** Runs `tasks` with at most `limit` in flight; results in task order. */
export async function pool<T>(tasks: (() => Promise<T>)[], limit = 8): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
