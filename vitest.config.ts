import { defineConfig } from "vitest/config";

// One run over every Worker's own test project (each under workerd) and the system tests.
export default defineConfig({
  test: {
    projects: ["workers/*/vitest.config.ts", "test/*/vitest.config.ts"],
  },
});
