import { defineConfig } from "vitest/config";

/** `npm run test:reliability`: local mode under injected faults (see docs/reliability.md). */
export default defineConfig({
  test: {
    include: ["test/reliability/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
