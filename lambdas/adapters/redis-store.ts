import { createHash } from "node:crypto";
import { Cluster, type Redis } from "ioredis";
import {
  type AnalyticsEntry,
  type AnalyticsStore,
  type ConsumerLogEntry,
  DEFAULT_LOG_MAX_LENGTH,
  DEFAULT_MARKER_TTL_SECONDS,
  type MonthStats,
  type Rankings,
  type RecordStatus,
  type TotalsStats,
  type UserStats,
} from "../core/analytics-store";
import { generationPrefix } from "../core/key-prefix";
import { centsFromCounter } from "../core/money";
import type { RedisClient } from "../shared/clients";
import { MONTH_STATS_LUA, RECORD_ENTRIES_LUA } from "./lua-scripts";

/**
 * The analytics store on Redis. Every key lives under one prefix, so deployments and test runs
 * can share a server and `clear` deletes only its own keys. The prefix is a hash tag (`{orders:}`
 * for the key prefix `orders:`): on a Redis Cluster every key hashes to one slot, so each Lua
 * script's keys are on one node, as a cluster requires. Below, names follow the tagged prefix:
 *
 *   user:<id>                  hash  order_count, spend_cents, failed_order_count
 *   global                     hash  total_orders, revenue_cents, failed_orders, duplicates,
 *                                    corrected_orders, failed:<reason>
 *   month:<YYYY-MM>            hash  the month's totals, same fields as global
 *   month:<YYYY-MM>:user:<id>  hash  the user's figures in that month
 *   month:<YYYY-MM>:by_spend   zset  the month's users by spend (cents)
 *   rank:spend, rank:orders    zset  all-time rankings
 *   months                     set   months with data
 *   seen:order:<id>, seen:msg:<id>  string with TTL: exactly-once markers (see lua-scripts.ts)
 * Every counter stays at most MAX_COUNTER (9 x 10^18): an entry that would pass it is refused.
 *   logs                       stream, capped: consumer log entries
 */

export interface RedisStoreOptions {
  /** Key prefix, e.g. `orders:`. */
  prefix: string;
  /** How long exactly-once markers live: at least the queue's retention period. */
  markerTtlSeconds?: number;
  /** Approximate cap of the consumer log stream. */
  logMaxLength?: number;
  /** Entries per Lua call: one atomic step and one round trip each. */
  chunkSize?: number;
}

const DEFAULT_CHUNK_SIZE = 500;
const USER_FIELDS = ["order_count", "spend_cents", "failed_order_count"] as const;
const STATUS_BY_LETTER: Record<string, RecordStatus> = {
  A: "applied",
  D: "duplicate",
  R: "replayed",
  O: "out_of_range",
};
const KIND_LETTER = { valid: "v", failed: "f", malformed: "m" } as const;
/** A valid order counted at its corrected value (see lua-scripts.ts). */
const CORRECTED_LETTER = "c";

/** The prefix every key of a store with this key prefix starts with: `orders:` -> `{orders:}`. */
export function storeKeyPrefix(keyPrefix: string): string {
  if (/[{}]/.test(keyPrefix)) throw new Error(`a key prefix may not contain { or }: ${keyPrefix}`);
  return `{${keyPrefix}}`;
}

/**
 * The analytics store of a key prefix, in whichever generation is active. A rebuild from the
 * archive (workflows/rebuild.ts) writes a new generation under a prefix of its own and then switches
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
      return buildStatuses
        ? statuses.map((status, i) => (buildStatuses[i] === "unavailable" ? "unavailable" : status))
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

/** Which generation readers use, and which one a rebuild is building (if any). */
export interface Generations {
  active: number;
  building: number | undefined;
}

/**
 * How long a process trusts the generations it read. A rebuild waits longer than this before it
 * lists the archive and before it deletes a generation it switched away from.
 */
export const GENERATION_CACHE_MS = 1_000;

/** Deletes one generation's keys (a rebuilt one's predecessor, or a failed rebuild's). */
export function deleteGeneration(redis: RedisClient, keyPrefix: string, generation: number): Promise<number> {
  return deleteKeysUnder(redis, storeKeyPrefix(generationPrefix(keyPrefix, generation)));
}

/** The hash naming the active generation (and the one being built); outside every generation. */
export function generationsKey(keyPrefix: string): string {
  return `${keyPrefix}generations`;
}

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

/** The store of one generation's key prefix. */
export function createGenerationStore(redis: RedisClient, options: RedisStoreOptions): AnalyticsStore {
  const prefix = storeKeyPrefix(options.prefix);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const markerTtlSeconds = options.markerTtlSeconds ?? DEFAULT_MARKER_TTL_SECONDS;
  const logMaxLength = options.logMaxLength ?? DEFAULT_LOG_MAX_LENGTH;
  const key = (name: string) => prefix + name;
  // A cluster routes a script by its first key: every key shares the prefix's slot.
  const recordEntries = scriptRunner(redis, RECORD_ENTRIES_LUA, key("global"));
  const monthStatsScript = scriptRunner(redis, MONTH_STATS_LUA, key("global"));

  async function recordChunk(entries: readonly AnalyticsEntry[]): Promise<RecordStatus[]> {
    const rows = entries.map(toScriptRow);
    const args = [prefix, markerTtlSeconds, logMaxLength, JSON.stringify(rows)];
    const letters = String(await recordEntries(args));
    if (letters.length !== entries.length)
      throw new Error(`record script returned ${letters.length} statuses`);
    return Array.from(letters, (letter) => STATUS_BY_LETTER[letter] ?? "unavailable");
  }

  return {
    async record(entries) {
      const chunks: (readonly AnalyticsEntry[])[] = [];
      for (let start = 0; start < entries.length; start += chunkSize) {
        chunks.push(entries.slice(start, start + chunkSize));
      }
      // All chunks go out at once (one round trip each, pipelined on the connection); a chunk
      // that fails changed nothing, so its entries are simply reported for retry.
      const results = await Promise.all(
        chunks.map((chunk) => recordChunk(chunk).catch(() => chunk.map((): RecordStatus => "unavailable"))),
      );
      return results.flat();
    },

    async userStats(userId) {
      const values = await redis.hmget(key(`user:${userId}`), ...USER_FIELDS);
      return values.every((value) => value === null) ? undefined : toUserStats(values);
    },

    async globalStats() {
      return toTotals(await redis.hgetall(key("global")));
    },

    async monthStats(month, userLimit) {
      const reply = (await monthStatsScript([prefix, month, userLimit])) as [string[], number, string[]] | [];
      if (reply.length === 0) return undefined;
      const [totals, userCount, flatUsers] = reply;
      const users: MonthStats["users"] = [];
      for (let i = 0; i + 3 < flatUsers.length; i += 4) {
        users.push({ userId: flatUsers[i] as string, ...toUserStats(flatUsers.slice(i + 1, i + 4)) });
      }
      return {
        month,
        ...toTotals(fieldsToRecord(totals)),
        users,
        userCount: Number(userCount),
      } satisfies MonthStats;
    },

    async months() {
      return (await redis.smembers(key("months"))).sort();
    },

    async monthTotals(months) {
      // Sent together: one round trip with auto-pipelining, one slot on a cluster.
      const hashes = await Promise.all(months.map((month) => redis.hgetall(key(`month:${month}`))));
      return hashes.map(toTotals);
    },

    async rankings(limit) {
      // Two commands, not a pipeline object: with auto-pipelining they share a write with
      // whatever else is in flight.
      const [bySpend, byOrders] = await Promise.all([
        redis.zrevrange(key("rank:spend"), 0, limit - 1, "WITHSCORES"),
        redis.zrevrange(key("rank:orders"), 0, limit - 1, "WITHSCORES"),
      ]);
      // The ranking orders by its scores (doubles); each spend shown is the user's exact counter.
      const spenders = scorePairs(bySpend).map(([userId]) => userId);
      const spends = await Promise.all(
        spenders.map((userId) => redis.hget(key(`user:${userId}`), "spend_cents")),
      );
      return {
        bySpend: spenders.map((userId, i) => ({ userId, spendCents: centsFromCounter(spends[i]) })),
        byOrderCount: scorePairs(byOrders).map(([userId, orderCount]) => ({ userId, orderCount })),
      } satisfies Rankings;
    },

    async latestLogs(limit) {
      const rows = await redis.xrevrange(key("logs"), "+", "-", "COUNT", limit);
      return rows.map(([id, fields]): ConsumerLogEntry => {
        const record = fieldsToRecord(fields);
        return {
          id,
          outcome: record.outcome as ConsumerLogEntry["outcome"],
          details: JSON.parse(record.details ?? "{}") as Record<string, unknown>,
        };
      });
    },

    async clear() {
      return deleteKeysUnder(redis, prefix);
    },

    async ping() {
      return (await redis.ping()) === "PONG";
    },
  };
}

/**
 * Deletes every key starting with `keyPrefix` (SCAN + UNLINK, never KEYS or FLUSHDB), on every
 * master of a cluster; returns how many.
 */
export async function deleteKeysUnder(redis: RedisClient, keyPrefix: string): Promise<number> {
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes("master") : [redis];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${escapeGlob(keyPrefix)}*`, "COUNT", 1000);
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

/**
 * Runs a Lua script by EVALSHA, loading it on the first call or after a SCRIPT FLUSH. `routingKey`
 * is its one declared key: on a cluster it picks the node that holds the script's slot.
 */
function scriptRunner(
  redis: RedisClient,
  lua: string,
  routingKey: string,
): (args: readonly (string | number)[]) => Promise<unknown> {
  const sha = createHash("sha1").update(lua).digest("hex");
  return async (args) => {
    try {
      return await redis.evalsha(sha, 1, routingKey, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await redis.eval(lua, 1, routingKey, ...args);
    }
  };
}

/** One entry as the record script reads it (see lua-scripts.ts). */
function toScriptRow(entry: AnalyticsEntry): (string | number)[] {
  const kind = entry.kind === "valid" && entry.corrected ? CORRECTED_LETTER : KIND_LETTER[entry.kind];
  if (entry.kind === "valid") {
    return [
      kind,
      entry.messageId,
      entry.orderId,
      entry.userId,
      entry.month,
      entry.valueCents,
      entry.log,
      entry.sentAtMs,
    ];
  }
  if (entry.kind === "failed") {
    const { messageId, orderId, userId, month, reason, log, sentAtMs } = entry;
    return [kind, messageId, orderId, userId ?? "", month, reason, log, sentAtMs];
  }
  return [kind, entry.messageId, "", "", "", "", entry.log, 0];
}

function toUserStats(values: readonly (string | null)[]): UserStats {
  const [orders, spend, failed] = values;
  return {
    orderCount: Number(orders ?? 0),
    spendCents: centsFromCounter(spend),
    failedOrderCount: Number(failed ?? 0),
  };
}

function toTotals(hash: Record<string, string>): TotalsStats {
  const failedByReason: Record<string, number> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith("failed:")) failedByReason[field.slice("failed:".length)] = Number(value);
  }
  return {
    totalOrders: Number(hash.total_orders ?? 0),
    revenueCents: centsFromCounter(hash.revenue_cents),
    failedOrders: Number(hash.failed_orders ?? 0),
    duplicates: Number(hash.duplicates ?? 0),
    correctedOrders: Number(hash.corrected_orders ?? 0),
    failedByReason,
  };
}

/** [member, score, member, score, ...] -> [[member, score], ...] */
function scorePairs(flat: readonly string[]): [string, number][] {
  const pairs: [string, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i] as string, Number(flat[i + 1])]);
  return pairs;
}

function fieldsToRecord(fields: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i] as string] = fields[i + 1] as string;
  return record;
}

/** Escapes glob metacharacters so SCAN MATCH sees the prefix literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
