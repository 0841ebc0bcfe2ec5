import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The reliability and browser suites have their own commands and configs.
    exclude: ["test/reliability/**", "test/browser/**", "node_modules/**"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: more workers than that only fight over the CPU with Redis.
    maxWorkers: 2,
  },
});
