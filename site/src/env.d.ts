/// <reference types="astro/client" />

declare namespace App {
  interface Locals extends import("@astrojs/cloudflare").Runtime {
    /** The signed-in user from the `session` cookie, set by src/middleware.ts; null when anonymous. */
    user: import("../../workers/shared/src/session").SessionUser | null;
  }
}
