// @ts-check
import cloudflare from "@astrojs/cloudflare";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "astro/config";

export default defineConfig({
  output: "server",
  // Sessions live in our own JWT cookie; Astro's KV-backed sessions would add a binding we never use.
  session: false,
  // Images are served from R2 as uploaded; Cloudflare Images would add a binding the shop never uses.
  adapter: cloudflare({ configPath: "../wrangler.toml", imageService: "passthrough" }),
  vite: { plugins: [tailwindcss()] },
});
