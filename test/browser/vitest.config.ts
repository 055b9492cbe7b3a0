import { defineProject } from "vitest/config";

// Drives Debian's Chromium through the whole shop, started as `npm run dev` starts it.
export default defineProject({
  test: {
    name: "browser",
    include: ["test/browser/**/*.test.ts"],
    root: new URL("../..", import.meta.url).pathname,
    globalSetup: ["test/browser/global-setup.ts"],
    // One Chromium at a time beside workerd on a two-core machine; the journeys of one file
    // run in order, each continuing from the last.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
