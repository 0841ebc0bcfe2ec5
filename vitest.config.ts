import { defineConfig } from "vitest/config";

/**
 * The slowest files (15 s to over a minute each on 2 cores: local mode or a rebuild driven through
 * whole scenarios): `npm run test:slow` (vitest.slow.config.ts) runs them, so that `npm test`, the
 * everyday suite, stays under 3 minutes. CI runs both, and test:cluster runs them on a cluster.
 */
export const SLOW_TESTS = [
  "test/e2e/archive-rebuild.test.ts",
  "test/e2e/template-driven.test.ts",
  "test/e2e/invoke.test.ts",
  "test/e2e/security.test.ts",
  "test/e2e/redis-outage.test.ts",
  "test/e2e/command-line.test.ts",
  "test/e2e/any-host-loader.test.ts",
  "test/integration/hostile-writer.test.ts",
  "test/integration/rebuild.test.ts",
  "test/integration/event-source.test.ts",
];

/** The reliability and browser suites have their own commands and configs. */
export const OTHER_SUITES = ["test/reliability/**", "test/browser/**", "node_modules/**"];

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [...OTHER_SUITES, ...SLOW_TESTS],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: more workers than that only fight over the CPU with Redis.
    maxWorkers: 2,
  },
});
