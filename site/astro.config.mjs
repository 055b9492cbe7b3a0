// @ts-check
import cloudflare from "@astrojs/cloudflare";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "astro/config";
import { pathToFileURL } from "node:url";

const CSP_CONSTANTS = "\0oscillation:csp-algorithms";

/**
 * Astro's runtime takes one constant, `ALGORITHMS`, from its CSP config module, and that
 * module also builds the zod schemas that check astro.config. In the Worker those schemas
 * are never used, yet they brought all of zod into the bundle and were built on every
 * cold start. The runtime gets the constant alone, read from the real module at build time.
 * @returns {import("vite").Plugin}
 */
function cspConstantsOnly() {
  /** @type {string | undefined} */
  let source;
  return {
    name: "oscillation:csp-constants-only",
    enforce: "pre",
    async resolveId(id, importer) {
      const from = importer?.split("?")[0];
      if (id !== "./csp/config.js" || !from?.replaceAll("\\", "/").endsWith("/astro/dist/core/encryption.js")) return null;
      const { ALGORITHMS } = await import(new URL(id, pathToFileURL(from)).href);
      source = `export const ALGORITHMS = ${JSON.stringify(ALGORITHMS)};`;
      return CSP_CONSTANTS;
    },
    load: (id) => (id === CSP_CONSTANTS ? source : null),
  };
}

export default defineConfig({
  output: "server",
  // Sessions live in our own JWT cookie; Astro's KV-backed sessions would add a binding we never use.
  session: false,
  // Images are served from R2 as uploaded; Cloudflare Images would add a binding the shop never uses.
  adapter: cloudflare({ configPath: "../wrangler.toml", imageService: "passthrough" }),
  vite: { plugins: [tailwindcss(), cspConstantsOnly()] },
});
