import { defineConfig } from "vitest/config";
import base, { SLOW_TESTS } from "./vitest.config";

/** `npm run test:slow`: the slowest files, kept out of the everyday `npm test` (vitest.config.ts). */
export default defineConfig({
  test: {
    ...base.test,
    include: SLOW_TESTS,
    exclude: ["node_modules/**"],
  },
});
