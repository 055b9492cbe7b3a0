import { defineProject } from "vitest/config";

// The benchmark's own arithmetic (scripts/bench), in Node: ratios, D1 tallies and verdicts.
export default defineProject({
  test: {
    name: "bench",
    include: ["test/bench/**/*.test.ts"],
    root: new URL("../..", import.meta.url).pathname,
  },
});
