import { OpenAPIHono } from "@hono/zod-openapi";
import type { Hook } from "@hono/zod-openapi";
import type { Env as HonoEnv } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId, type RequestIdVariables } from "hono/request-id";
import { d1Timing } from "./d1-count";
import { ApiError, fieldErrors, notFound, onError } from "./errors";
import { log, setLogLevel } from "./log";
import { sameOrigin } from "./same-origin";
import { readSession, type SessionBindings, type SessionVariables } from "./session";

export type ServiceBindings = SessionBindings & { LOG_LEVEL?: string };

/** The Hono environment every service Worker shares; `B` is the Worker's generated `Env`. */
export type ServiceEnv<B extends ServiceBindings = ServiceBindings> = {
  Bindings: B;
  Variables: SessionVariables & RequestIdVariables;
};

// The media types Hono's validator parses as JSON; anything else reaches the hook as `{}`.
const JSON_TYPE = /^application\/([\w.-]+\+)?json$/;
const isJson = (contentType: string | undefined) =>
  JSON_TYPE.test((contentType ?? "").split(";")[0]!.trim().toLowerCase());

/**
 * Turns a failed zod validation into the contract's 400. zod-openapi answers 415 itself for
 * a body of another declared type; a request with no body and no Content-Type gets past that
 * gate and arrives here as `{}`, which is 415 too, checked first: a body schema that accepts
 * `{}` would otherwise pass it. The text matches the gate's.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const validationHook: Hook<any, any, any, any> = (result, c) => {
  if (result.target === "json" && !isJson(c.req.header("content-type"))) {
    throw new ApiError(415, "Unsupported Media Type");
  }
  if (result.success) return;
  throw new ApiError(400, fieldErrors(result.error.issues));
};

/** A router for one resource; mount it on the service's app with `app.route()`. */
export function createRouter<E extends HonoEnv>() {
  return new OpenAPIHono<E>({ defaultHook: validationHook });
}

export type ServiceOptions<B extends ServiceBindings = ServiceBindings> = {
  /** Short name, used in logs and the OpenAPI title. */
  service: string;
  /** Largest request body accepted, in bytes (JSON endpoints default to 64 KiB). */
  maxBodyBytes?: number;
  /** Whether a session was ended early; services pass their replica of auth's revocations. */
  isRevoked?: (env: B, sessionId: string) => Promise<boolean>;
};

/**
 * A service Worker's Hono app with the shared pieces in place: request ids and logs, the
 * D1 cost of each request in `Server-Timing`, the cross-origin guard, a body limit, the session reader, `/health`, `/openapi.json`, and the
 * one error envelope for every failure, unknown routes included.
 */
export function createServiceApp<B extends ServiceBindings>({ service, maxBodyBytes = 64 * 1024, isRevoked }: ServiceOptions<B>) {
  const app = createRouter<ServiceEnv<B>>();
  app.onError(onError);
  app.notFound(notFound);
  app.use(requestId());
  // Every answer says what it cost in D1 (`Server-Timing: d1`), which the benchmark reads.
  app.use(d1Timing());
  app.use(async (c, next) => {
    setLogLevel(c.env.LOG_LEVEL);
    const started = Date.now();
    await next();
    log.info("request", {
      service,
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Date.now() - started,
    });
  });
  app.use(sameOrigin());
  app.use(
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new ApiError(413, "Request body too large");
      },
    }),
  );
  app.use(readSession<B>(isRevoked));
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.doc31("/openapi.json", { openapi: "3.1.0", info: { title: `Oscillation ${service}`, version: "1" } });
  return app;
}
