import type { RedisClient } from "../shared/clients";
import { generationsKey } from "./redis-keys";

/**
 * Key generations: which generation of a deployment's keys readers use (`active`), and which one a
 * rebuild from the archive is building beside it (`building`), in one hash outside every
 * generation (redis-keys.ts). Processes cache it for GENERATION_CACHE_MS; a rebuild
 * (workflows/rebuild-from-archive.ts) waits longer than that before it relies on every process having seen a
 * change.
 */

export interface Generations {
  active: number;
  building: number | undefined;
}

/**
 * How long a process trusts the generations it read. A rebuild waits longer than this before it
 * lists the archive and before it deletes a generation it switched away from.
 */
export const GENERATION_CACHE_MS = 1_000;

/** Reads the generations, cached for GENERATION_CACHE_MS. */
export function generationReader(redis: RedisClient, keyPrefix: string) {
  const key = generationsKey(keyPrefix);
  let cached: { at: number; value: Promise<Generations> } | undefined;
  let settled: { at: number; value: Generations } | undefined;
  const read = async (): Promise<Generations> => {
    const at = Date.now();
    const [active, building] = await redis.hmget(key, "active", "building");
    const value = {
      active: Number(active ?? 0),
      building: building === null || building === undefined ? undefined : Number(building),
    };
    settled = { at, value };
    return value;
  };
  return {
    /** The generations, when read within GENERATION_CACHE_MS; else undefined (call `current`). */
    known(): Generations | undefined {
      return settled && Date.now() - settled.at <= GENERATION_CACHE_MS ? settled.value : undefined;
    },
    current(options: { fresh?: boolean } = {}): Promise<Generations> {
      const now = Date.now();
      if (options.fresh || !cached || now - cached.at > GENERATION_CACHE_MS) {
        const value = read();
        cached = { at: now, value };
        value.catch(() => {
          if (cached?.value === value) cached = undefined;
        });
      }
      return cached.value;
    },
  };
}

/** Changes the generations: what a rebuild does, and nothing else. */
export function generationSwitch(redis: RedisClient, keyPrefix: string) {
  const key = generationsKey(keyPrefix);
  return {
    /** Recording goes to `generation` too, beside the active one. */
    startBuilding: async (generation: number) => {
      await redis.hset(key, "building", generation);
    },
    /** Readers and the consumer move to `generation` (within GENERATION_CACHE_MS of now). */
    async switchTo(generation: number): Promise<void> {
      // One key, one command list run atomically: no reader ever sees "building" without its active.
      await redis.multi().hset(key, "active", generation).hdel(key, "building").exec();
    },
    /** Recording into `generation` stops. */
    stopBuilding: async () => {
      await redis.hdel(key, "building");
    },
  };
}
