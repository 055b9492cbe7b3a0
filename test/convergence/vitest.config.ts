import { defineProject } from "vitest/config";

// Runs in Node against systems started as `npm run dev` starts them, each drill its own: one
// is killed and restarted, one loses messages on purpose. Both wait for the shop to settle.
export default defineProject({
  test: {
    name: "convergence",
    include: ["test/convergence/**/*.test.ts"],
    root: new URL("../..", import.meta.url).pathname,
    testTimeout: 600_000,
    hookTimeout: 180_000,
  },
});
