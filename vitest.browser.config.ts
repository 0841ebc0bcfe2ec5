import { defineConfig } from "vitest/config";

/** `npm run test:browser`: the dashboard in a real Chromium (Debian's chromium; .ci/run installs it). */
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
