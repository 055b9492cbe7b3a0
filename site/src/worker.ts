// The public edge entry: every request to the shop's origin arrives here first.
// `/api/*` and `/images/*` go to the service Workers by service binding; `/covers/*` are
// generated covers drawn here (src/edge/covers.ts); everything else is an Astro page.
// Anonymous visits to home, browse and record pages are answered from the edge cache when
// it has them (src/edge/page-cache.ts).
import { handle } from "@astrojs/cloudflare/handler";
import { Hono } from "hono";
import { afterUnreadBody, bodyLimit } from "./edge/body-limit";
import { covers } from "./edge/covers";
import { notFound, onError } from "./edge/errors";
import { forwardTo } from "./edge/forward";
import { health } from "./edge/health";
import { openapi } from "./edge/openapi";
import { CACHE_STATUS_HEADER, serveShared, verdict } from "./edge/page-cache";
import { echoRequestId, ensureRequestId } from "./edge/request-id";
import { withHeader } from "./edge/response-headers";
import { FORWARD_PATTERNS, FORWARDS } from "./edge/services";
import { isWellFormedPath, pageBodyLimit, pageSecurityHeaders, samePageOrigin } from "./edge/page-guards";
import { DEV_CRON_PREFIX, devOnly, SANDBOX_PREFIX } from "./edge/dev-only";
import { COVERS_PATH } from "./lib/cover-svg";

const app = new Hono<{ Bindings: Env }>();
app.onError(onError);

// The largest body any service accepts (a 5 MiB photo plus multipart framing); over it the
// edge answers 413 itself (src/edge/body-limit.ts).
const MAX_FORWARDED_BODY = 5 * 1024 * 1024 + 64 * 1024;
const forwardedBodyLimit = bodyLimit(MAX_FORWARDED_BODY);

for (const { prefix, binding } of FORWARDS) {
  app.use(prefix, forwardedBodyLimit);
  app.use(`${prefix}/*`, forwardedBodyLimit);
  app.all(prefix, forwardTo(binding));
  app.all(`${prefix}/*`, forwardTo(binding));
}
for (const { pattern, binding } of FORWARD_PATTERNS) {
  app.use(pattern, forwardedBodyLimit);
  app.all(pattern, forwardTo(binding));
}
app.all(`${SANDBOX_PREFIX}/*`, devOnly(SANDBOX_PREFIX, "STRIPE_SANDBOX"));
app.all(`${DEV_CRON_PREFIX}/*`, devOnly(DEV_CRON_PREFIX, "DEV_CRON"));
app.get("/api/health", health);
app.get("/api/openapi.json", openapi);
app.route(COVERS_PATH, covers);

// The API reference is an Astro page (src/pages/api/docs.astro) rendered from the merged document.
const astro = (c: { req: { raw: Request }; env: Env; executionCtx: unknown }) =>
  handle(c.req.raw, c.env, c.executionCtx as ExecutionContext);
app.get("/api/docs", pageSecurityHeaders(), astro);
app.all("/api/*", notFound);
app.all("/api", notFound);

// Pages: checked before Astro reads anything of the request.
app.use("*", pageSecurityHeaders(), samePageOrigin(), pageBodyLimit());
app.all("*", async (c) => {
  if (isWellFormedPath(new URL(c.req.url).pathname)) return astro(c);
  // No record or order has such an id: the shop's own 404 page, as for any unknown id.
  const request = new Request(new URL("/404", c.req.url), { headers: c.req.raw.headers });
  const page = await handle(request, c.env, c.executionCtx as ExecutionContext);
  return new Response(page.body, { status: 404, headers: page.headers });
});

const isCover = (request: Request) => new URL(request.url).pathname.startsWith(`${COVERS_PATH}/`);

export default {
  async fetch(request, env, ctx) {
    // Checked before anything else, so a cached page costs one cache lookup and no rendering.
    const cache = verdict(request, env);
    if (cache?.kind === "shared") return serveShared(request, cache, env, ctx, (req) => app.fetch(req, env, ctx));
    // A cover is public and kept for a year by whoever fetched it: it carries nothing of the
    // request that drew it, not even its id (and skips making one).
    if (isCover(request)) return app.fetch(request, env, ctx);
    const req = ensureRequestId(request);
    // A body nobody read is read to its end before the answer leaves (src/edge/body-limit.ts).
    const response = echoRequestId(req, await afterUnreadBody(req, await app.fetch(req, env, ctx)));
    return cache?.kind === "bypass" ? withHeader(response, CACHE_STATUS_HEADER, "BYPASS") : response;
  },
} satisfies ExportedHandler<Env>;
