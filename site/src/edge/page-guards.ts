import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * What every page request passes before Astro renders it: a path that decodes to text a
 * browser could send, a body of a size a page form can need, the same origin for anything
 * that changes state, and headers that keep the page out of other sites' frames.
 */

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A page form's fields: a few kilobytes at most. */
export const MAX_PAGE_BODY = 64 * 1024;
/**
 * The sell and edit forms carry a photo. Up to this size the page itself reads the form and
 * answers with the form again and the photo limit (5 MiB) beside the field, as a phone photo
 * of a few megabytes too many deserves; only beyond it is the post refused outright.
 */
export const MAX_PHOTO_FORM_BODY = 16 * 1024 * 1024;
const PHOTO_FORMS = [/^\/vinyls\/new\/?$/, /^\/vinyls\/[^/]+\/edit\/?$/];

const tooLarge = () =>
  new Response("<!doctype html><title>Too large</title><h1>That form was too large to send.</h1>", {
    status: 413,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });

const limits = {
  page: bodyLimit({ maxSize: MAX_PAGE_BODY, onError: tooLarge }),
  photo: bodyLimit({ maxSize: MAX_PHOTO_FORM_BODY, onError: tooLarge }),
};

/**
 * Caps the body of every state-changing page request before Astro reads it: without this a
 * 60 MiB urlencoded sign-in would be read whole into memory. A declared length over the cap
 * is refused at once; a streamed body is counted as it arrives.
 */
export function pageBodyLimit(): MiddlewareHandler {
  return (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const limit = PHOTO_FORMS.some((form) => form.test(c.req.path)) ? limits.photo : limits.page;
    return limit(c, next);
  };
}

/**
 * Whether a path's segments all decode to text without control characters. An id such as
 * `%0aX` can never name a record or an order; left to the pages it would reach a header or
 * a URL built from it and fail there.
 */
export function isWellFormedPath(path: string): boolean {
  for (const segment of path.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return false;
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(decoded)) return false;
  }
  return true;
}

/**
 * Refuses a page request a browser would not send from this shop: a state change whose
 * `Origin` or `Sec-Fetch-Site` says another site, whatever its content type. Astro's own
 * origin check covers only form content types.
 */
export function samePageOrigin(): MiddlewareHandler {
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method)) {
      const site = c.req.header("sec-fetch-site");
      const origin = c.req.header("origin");
      const crossSite = site !== undefined && site !== "same-origin" && site !== "none";
      const foreignOrigin = origin !== undefined && origin !== new URL(c.req.url).origin;
      if (crossSite || foreignOrigin) {
        return c.html("<!doctype html><title>Refused</title><h1>Cross-origin request refused.</h1>", 403, {
          "Cache-Control": "no-store",
        });
      }
    }
    await next();
  };
}

/**
 * The pages' content security policy. Astro renders each component's script inline, so
 * inline scripts stay allowed; scripts from anywhere else but this origin and Stripe.js
 * are not, nothing may frame a page (clickjacking), and forms post only here.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' https://js.stripe.com",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https://*.stripe.com",
  "connect-src 'self' https://api.stripe.com https://*.stripe.com",
  "frame-src 'self' https://js.stripe.com https://*.stripe.com",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Adds the CSP and the older frame header to every HTML page. */
export function pageSecurityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!c.res.headers.get("content-type")?.startsWith("text/html")) return;
    const response = new Response(c.res.body, c.res);
    response.headers.set("Content-Security-Policy", PAGE_CSP);
    response.headers.set("X-Frame-Options", "DENY");
    c.res = response;
  };
}
