import { Cluster, type Redis } from "ioredis";
import type { RedisClient } from "../shared/clients";
import { deploymentKeys, generationKeyPrefix, type OwnedKeys } from "./redis-keys";

/**
 * Deleting keys by prefix: a store's clear, a generation a rebuild replaced, and everything a
 * deployment's key prefix owns (tests and benchmarks clean up after themselves with it).
 */

/** Deletes one generation's keys (a rebuilt one's predecessor, or a failed rebuild's). */
export function deleteGeneration(redis: RedisClient, keyPrefix: string, generation: number): Promise<number> {
  return deleteKeysUnder(redis, generationKeyPrefix(keyPrefix, generation));
}

/**
 * Deletes every key of a deployment's key prefix: each generation, the pointer, a rebuild's state;
 * none of another deployment's, whose prefix may start with this one (redis-keys.ts).
 */
export async function deleteDeploymentKeys(redis: RedisClient, keyPrefix: string): Promise<number> {
  let deleted = 0;
  for (const owned of deploymentKeys(keyPrefix))
    deleted += await deleteKeysUnder(redis, owned.prefix, owned.owns);
  return deleted;
}

/**
 * Deletes every key starting with `keyPrefix` that `owns` accepts (SCAN + UNLINK, never KEYS or
 * FLUSHDB), on every master of a cluster; returns how many.
 */
export async function deleteKeysUnder(
  redis: RedisClient,
  keyPrefix: string,
  owns: OwnedKeys["owns"] = () => true,
): Promise<number> {
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes("master") : [redis];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, found] = await node.scan(cursor, "MATCH", `${escapeGlob(keyPrefix)}*`, "COUNT", 1000);
      const keys = found.filter(owns);
      if (keys.length > 0) deleted += await unlinkAll(node, keys, redis instanceof Cluster);
      cursor = next;
    } while (cursor !== "0");
  }
  return deleted;
}

/**
 * UNLINKs keys found on one node. On a cluster a multi-key command must stay in one slot, and a
 * prefix may span several (every generation has its own hash tag): there each key is its own
 * command, pipelined in one round trip.
 */
async function unlinkAll(node: Redis, keys: string[], cluster: boolean): Promise<number> {
  if (!cluster) return node.unlink(...keys);
  const replies = (await node.pipeline(keys.map((key) => ["unlink", key])).exec()) ?? [];
  let unlinked = 0;
  for (const [error, count] of replies) {
    if (error) throw error;
    unlinked += Number(count);
  }
  return unlinked;
}

/** Escapes glob metacharacters so SCAN MATCH sees the prefix literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
