import { defineProject } from "vitest/config";

// Runs in Node against the whole system started as `npm run dev` starts it (the system
// tests' own start-up, reused), sending it what no well-behaved client would.
export default defineProject({
  test: {
    name: "abuse",
    include: ["test/abuse/**/*.test.ts"],
    root: new URL("../..", import.meta.url).pathname,
    globalSetup: ["test/abuse/global-setup.ts"],
    // One file at a time: each checks, at its end, that the shop's shared lists (the public
    // catalog) did not change, which another file's legitimate listings would disturb.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
