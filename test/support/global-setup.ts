import type { TestProject } from "vitest/node";
import { ensureRedis, type LocalRedis } from "../../local/redis-server";

/** Finds (or starts) the real Redis every integration test talks to. */

let redis: LocalRedis | undefined;

export async function setup(project: TestProject) {
  redis = await ensureRedis(process.env.REDIS_URL);
  project.provide("redisUrl", redis.url);
}

export async function teardown() {
  await redis?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
