import type { RedisClient } from "../shared/clients";
import { type Generations, generationReader, generationSwitch } from "./redis-generations";
import { rebuildLeaseKey, rebuildProgressKey } from "./redis-keys";

/**
 * A rebuild's state in Redis, outside every generation's keys: its progress (what
 * `GET /admin/rebuild` shows), the switch of the active generation, and a lease so that one
 * invocation at a time works on it (Lambda may retry an asynchronous invocation that timed out).
 */

/** `refused`: it would have counted fewer orders than Redis holds, so it changed nothing. */
type RebuildStatus = "running" | "done" | "failed" | "refused";

export interface RebuildProgress {
  id: string;
  status: RebuildStatus;
  /** The generation being built (see redis-generations.ts). */
  generation: number;
  /** The generation readers used before (deleted once the new one is switched in). */
  previousGeneration: number;
  startedAt: number;
  /** The rebuild lists the archive only after this (ms): see workflows/rebuild-from-archive.ts. */
  listAfter: number;
  /** The archive key it started after (the latest clear), then the last key it read. */
  cursor: string;
  objectsRead: number;
  ordersRead: number;
  /**
   * Archive objects skipped, keys logged: unreadable (not gzip, corrupt, too large), or not
   * authenticated (those are counted in objectsUnauthenticated too).
   */
  objectsSkipped: number;
  /** Archive objects whose authenticator was missing or did not hold: not this deployment's consumer's. */
  objectsUnauthenticated: number;
  /**
   * Lines of read objects skipped, counted per object in the log: not archive lines, contradicting
   * their object, or refused by Redis.
   */
  linesSkipped: number;
  /** Time spent reading and recording, ms (orders/s = ordersRead / this). */
  workingMs: number;
  invocations: number;
  /** Archived messages that the current rules judge differently than the consumer did. */
  judgedDifferently: number;
  /** Last time an invocation saved progress (ms): a running rebuild silent for long is stale. */
  updatedAt: number;
  finishedAt?: number;
  error?: string;
  /** Asked to replace the figures even with fewer orders (`?force=true`). */
  force?: boolean;
  /** Orders (valid and failed) the figures held at the end, and the rebuild had counted. */
  liveOrders?: number;
  rebuiltOrders?: number;
}

const NUMBER_FIELDS = [
  "generation",
  "previousGeneration",
  "startedAt",
  "listAfter",
  "objectsRead",
  "ordersRead",
  "objectsSkipped",
  "objectsUnauthenticated",
  "linesSkipped",
  "workingMs",
  "invocations",
  "judgedDifferently",
  "updatedAt",
  "finishedAt",
  "liveOrders",
  "rebuiltOrders",
] as const;

export function rebuildState(redis: RedisClient, keyPrefix: string) {
  const progressKey = rebuildProgressKey(keyPrefix);
  // One lease per rebuild: a finished rebuild still deleting its old keys does not hold up the next.
  const leaseKey = (id: string) => rebuildLeaseKey(keyPrefix, id);
  const generations = generationReader(redis, keyPrefix);
  const pointer = generationSwitch(redis, keyPrefix);

  return {
    generations: (): Promise<Generations> => generations.current({ fresh: true }),

    async progress(): Promise<RebuildProgress | undefined> {
      const hash = await redis.hgetall(progressKey);
      if (!hash.id) return undefined;
      const progress: Record<string, unknown> = { ...hash };
      for (const field of NUMBER_FIELDS) {
        if (hash[field] !== undefined) progress[field] = Number(hash[field]);
      }
      progress.force = hash.force === "true";
      // A rebuild recorded before these counts existed skipped nothing.
      progress.objectsSkipped ??= 0;
      progress.objectsUnauthenticated ??= 0;
      progress.linesSkipped ??= 0;
      return progress as unknown as RebuildProgress;
    },

    /** Records a new rebuild and starts recording into its generation alongside the active one. */
    async begin(progress: RebuildProgress): Promise<void> {
      await redis.del(progressKey);
      await redis.hset(progressKey, toHash(progress));
      await pointer.startBuilding(progress.generation);
    },

    async save(changes: Partial<RebuildProgress>): Promise<void> {
      await redis.hset(progressKey, toHash({ ...changes, updatedAt: Date.now() }));
    },

    /** Readers and the consumer move to `generation` (within GENERATION_CACHE_MS of now). */
    switchTo: (generation: number): Promise<void> => pointer.switchTo(generation),

    /** Stops recording into a generation being built (a failed rebuild). */
    async abandon(generation: number): Promise<void> {
      const current = await generations.current({ fresh: true });
      if (current.building === generation) await pointer.stopBuilding();
    },

    /** True when this invocation may work on rebuild `id` (until `ms` from now). */
    async takeLease(id: string, holder: string, ms: number): Promise<boolean> {
      return (await redis.set(leaseKey(id), holder, "PX", ms, "NX")) === "OK";
    },

    async releaseLease(id: string, holder: string): Promise<void> {
      if ((await redis.get(leaseKey(id))) === holder) await redis.del(leaseKey(id));
    },
  };
}

export type RebuildState = ReturnType<typeof rebuildState>;

function toHash(values: Partial<RebuildProgress>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([, value]) => value !== undefined)
      .map(([field, value]) => [field, String(value)]),
  );
}
