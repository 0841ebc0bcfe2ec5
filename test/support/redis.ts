import { randomUUID } from "node:crypto";
import { Cluster } from "ioredis";
import { inject } from "vitest";
import { deleteKeysUnder, generationsKey, storeKeyPrefix } from "../../lambdas/adapters/redis-store";
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

/** Every key of the store with this key prefix that matches `pattern` (SCAN on every master). */
export async function storeKeys(redis: RedisClient, prefix: string, pattern = "*"): Promise<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes("master") : [redis];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, found] = await node.scan(
        cursor,
        "MATCH",
        `${storeKeyPrefix(prefix)}${pattern}`,
        "COUNT",
        1000,
      );
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
  await deleteKeysUnder(redis, storeKeyPrefix(prefix));
  await deleteKeysUnder(redis, `{${prefix}gen`);
  await deleteKeysUnder(redis, generationsKey(prefix));
  await deleteKeysUnder(redis, `${prefix}rebuild`);
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
