import type { Context } from "hono";
import { errorResponse } from "./errors";
import { SERVICES, callService, withTimeout } from "./services";

const HEALTH_TIMEOUT_MS = 3000;

/** The names of the services that did not answer their own `GET /health` with a 200 in time. */
export async function servicesDown(env: Env, from: Request): Promise<string[]> {
  const results = await Promise.all(
    SERVICES.map(async ({ name, binding }) => {
      try {
        const res = await withTimeout(callService(env, binding, "/health", from), HEALTH_TIMEOUT_MS);
        await res.body?.cancel();
        return res.status === 200 ? null : name;
      } catch {
        return name;
      }
    }),
  );
  return results.filter((name) => name !== null);
}

/** `GET /api/health`: 200 only when every service Worker is healthy, else 503 naming the ones that are not. */
export async function health(c: Context<{ Bindings: Env }>) {
  const down = await servicesDown(c.env, c.req.raw);
  if (down.length > 0) return errorResponse(c, 503, `Unavailable: ${down.join(", ")}`);
  return c.json({ status: "ok" }, 200, { "Cache-Control": "no-store" });
}
