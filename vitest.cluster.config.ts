import { defineConfig } from "vitest/config";
import base, { OTHER_SUITES } from "./vitest.config";

/**
 * `npm run test:cluster`: the integration and end-to-end suites again, against a three-master Redis
 * Cluster that the global setup starts from redis-server (ElastiCache Serverless is a cluster).
 */
process.env.TEST_REDIS_MODE = "cluster";

export default defineConfig({
  test: {
    ...base.test,
    include: ["test/integration/**/*.test.ts", "test/e2e/**/*.test.ts"],
    // Not the everyday suite's exclusions: the slow files run on a cluster too.
    exclude: [
      ...OTHER_SUITES,
      // It cuts Redis with one TCP proxy in front of one server; a cluster's clients go around it.
      "test/e2e/redis-outage.test.ts",
      // They use no Redis of the suite's: local mode's own, or none.
      "test/e2e/readme-commands.test.ts",
      "test/e2e/command-line.test.ts",
      "test/integration/local-redis.test.ts",
      "test/integration/embedded-server.test.ts",
      "test/integration/sqs-query-protocol.test.ts",
      "test/integration/old-boto3.test.ts",
    ],
  },
});
