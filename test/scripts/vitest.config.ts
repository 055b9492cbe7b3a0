import { defineProject } from "vitest/config";

// The project's own scripts (scripts/), in Node: what they refuse before touching anything.
export default defineProject({
  test: {
    name: "scripts",
    include: ["test/scripts/**/*.test.ts"],
    root: new URL("../..", import.meta.url).pathname,
    testTimeout: 30_000,
  },
});
