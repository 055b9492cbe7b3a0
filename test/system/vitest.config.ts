import { defineProject } from "vitest/config";

// Runs in Node against the whole system started as `npm run dev` starts it.
export default defineProject({
  test: {
    name: "system",
    include: ["test/system/**/*.test.ts"],
    root: new URL("../..", import.meta.url).pathname,
    globalSetup: ["test/system/start-system.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
