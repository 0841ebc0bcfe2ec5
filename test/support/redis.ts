import { randomUUID } from "node:crypto";
import { Cluster } from "ioredis";
import { inject } from "vitest";
import { deleteDeploymentKeys } from "../../lambdas/adapters/redis-maintenance";
import { createRedisClient, type RedisClient, type RedisMode } from "../../lambdas/shared/clients";

/**
 * Integration tests own their data: a fresh key prefix per test file on the shared real Redis, a
 * single server or a Redis Cluster (`npm run test:cluster`), as the global setup found or started.
 */

export function redisUrl(): string {
  return inject("redisUrl");
}

export function redisMode(): RedisMode {
  return inject("redisMode");
}

export function uniquePrefix(name: string): string {
  return `test:${name}:${randomUUID().slice(0, 8)}:`;
}

export function connectRedis(url: string = redisUrl()): RedisClient {
  return createRedisClient(url, { mode: redisMode(), idempotent: true });
}

/** Every key that starts with `keyPrefix` (SCAN on every master): see redis-keys.ts for the names. */
export async function keysUnder(redis: RedisClient, keyPrefix: string): Promise<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes("master") : [redis];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, found] = await node.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== "0");
  }
  return keys;
}

/**
 * Deletes a store's keys: every generation, the generation pointer and a rebuild's state (tests
 * clean up even when a store is broken).
 */
export async function deleteKeys(redis: RedisClient, prefix: string): Promise<void> {
  await deleteDeploymentKeys(redis, prefix);
}

/** Deletes a store's keys from a connection of its own (for `afterAll`, once everything else stopped). */
export async function deleteStoreKeys(prefix: string): Promise<void> {
  const redis = connectRedis();
  try {
    await deleteKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
