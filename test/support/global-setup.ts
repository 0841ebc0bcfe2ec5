import type { TestProject } from "vitest/node";
import { ensureRedis, type LocalRedis, startRedisCluster } from "../../local/redis-server";

/**
 * Finds (or starts) the real Redis every integration test talks to: REDIS_URL or a redis-server
 * on a free port; with TEST_REDIS_MODE=cluster (`npm run test:cluster`), a three-master Redis
 * Cluster started for the run.
 */

let redis: LocalRedis | undefined;

export async function setup(project: TestProject) {
  redis =
    process.env.TEST_REDIS_MODE === "cluster"
      ? await startRedisCluster()
      : await ensureRedis(process.env.REDIS_URL);
  project.provide("redisUrl", redis.url);
  project.provide("redisMode", redis.mode);
}

export async function teardown() {
  await redis?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
    redisMode: "single" | "cluster";
  }
}
