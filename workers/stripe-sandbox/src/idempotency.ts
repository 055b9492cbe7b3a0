import { eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { database } from "./db";
import { invalidRequest, StripeError } from "./errors";
import { bodyText } from "./form";
import { idempotencyKeys } from "./schema";
import type { SandboxBindings } from "./bindings";

/**
 * Stripe's idempotency for POST requests: the first request with an `Idempotency-Key`
 * reserves it and its answer is kept; the same key with the same parameters gets that
 * answer again (`Idempotent-Replayed: true`), with other parameters a 400, and while the
 * first is still running a 409 (which the SDK retries). As at Stripe, a request refused for
 * its parameters keeps nothing, so it can be corrected and sent again under the same key;
 * nor does a fault of the sandbox's own (5xx), so a retry after a fix is not answered with it.
 */
export function idempotency(): MiddlewareHandler<{ Bindings: SandboxBindings }> {
  return async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (c.req.method !== "POST" || !key) return next();
    const db = database(c.env);
    const fingerprint = `${c.req.method} ${c.req.path}\n${await bodyText(c.req)}`;
    const reserved = await db
      .insert(idempotencyKeys)
      .values({ key, fingerprint, created: Date.now() })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (reserved.length === 0) {
      const [first] = await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key)).limit(1);
      if (first && first.fingerprint !== fingerprint) {
        throw new StripeError(
          400,
          "idempotency_error",
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      }
      if (!first || first.status === null) {
        throw invalidRequest(
          `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
          { code: "idempotency_key_in_use" },
          409,
        );
      }
      return new Response(first.body, {
        status: first.status,
        headers: { "Content-Type": "application/json", "Idempotent-Replayed": "true", "Idempotency-Key": key },
      });
    }
    let kept = false;
    try {
      await next();
      const parameterError = c.error instanceof StripeError && c.error.isParameterError;
      if (!parameterError && c.res.status < 500) {
        const body = await c.res.clone().text();
        await db.update(idempotencyKeys).set({ status: c.res.status, body }).where(eq(idempotencyKeys.key, key));
        kept = true;
      }
      c.header("Idempotency-Key", key);
    } finally {
      if (!kept) await db.delete(idempotencyKeys).where(eq(idempotencyKeys.key, key));
    }
  };
}
