import type { AnalyticsStore, RecordStatus } from "../core/analytics-store";
import { generationPrefix } from "../core/key-prefix";
import type { RedisClient } from "../shared/clients";
import { createGenerationStore, type RedisStoreOptions } from "./generation-store";
import { generationReader } from "./redis-generations";

/**
 * The analytics store of a key prefix, in whichever generation is active. A rebuild from the
 * archive (workflows/rebuild-from-archive.ts) writes a new generation under a prefix of its own and then switches
 * the active one in one step: readers see the old figures or the new, never half of either.
 * While one is being built, recording goes to both, so the new one misses nothing.
 */
export function createRedisStore(redis: RedisClient, options: RedisStoreOptions): AnalyticsStore {
  const generations = generationReader(redis, options.prefix);
  const stores = new Map<number, AnalyticsStore>();
  const storeOf = (generation: number): AnalyticsStore => {
    let store = stores.get(generation);
    if (!store) {
      store = createGenerationStore(redis, {
        ...options,
        prefix: generationPrefix(options.prefix, generation),
      });
      stores.set(generation, store);
    }
    return store;
  };
  const active = async () => storeOf((await generations.current()).active);

  return {
    async record(entries) {
      // Known already (the usual case): the script goes out now, not a tick later, so a caller
      // that records slice after slice has Redis working while it prepares the next.
      let state = generations.known();
      if (!state) {
        try {
          state = await generations.current();
        } catch {
          return entries.map((): RecordStatus => "unavailable");
        }
      }
      const { active: activeGeneration, building } = state;
      const [statuses, buildStatuses] = await Promise.all([
        storeOf(activeGeneration).record(entries),
        building === undefined ? undefined : storeOf(building).record(entries),
      ]);
      // An entry the generation being built did not take must come back, or the rebuild would miss it.
      const taken = (status: RecordStatus | undefined) => status !== "unavailable" && status !== "refused";
      return buildStatuses
        ? statuses.map((status, i) => (taken(buildStatuses[i]) ? status : "unavailable"))
        : statuses;
    },
    userStats: async (userId) => (await active()).userStats(userId),
    globalStats: async () => (await active()).globalStats(),
    monthStats: async (month, userLimit) => (await active()).monthStats(month, userLimit),
    months: async () => (await active()).months(),
    monthTotals: async (months) => (await active()).monthTotals(months),
    rankings: async (limit) => (await active()).rankings(limit),
    latestLogs: async (limit) => (await active()).latestLogs(limit),
    async clear() {
      const state = await generations.current({ fresh: true });
      if (state.building !== undefined) throw new RebuildRunningError();
      return storeOf(state.active).clear();
    },
    async ping() {
      return (await redis.ping()) === "PONG";
    },
  };
}

/** Clearing while a rebuild runs would leave the rebuild to switch in what was just cleared. */
export class RebuildRunningError extends Error {
  override name = "RebuildRunningError";
  constructor() {
    super("a rebuild from the archive is running: clear when it is done");
  }
}
