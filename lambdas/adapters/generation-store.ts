import { type Cluster, type Redis, ReplyError } from "ioredis";
import {
  type AnalyticsEntry,
  type AnalyticsStore,
  type ConsumerLogEntry,
  DEFAULT_LOG_MAX_LENGTH,
  DEFAULT_MARKER_TTL_SECONDS,
  type MonthStats,
  type RecordStatus,
  type TotalsStats,
  type UserStats,
} from "../core/analytics-store";
import { chunks } from "../core/chunks";
import { readLogDetails } from "../core/log-entry";
import { centsFromCounter } from "../core/money";
import type { RedisClient } from "../shared/clients";
import { MONTH_STATS_LUA, RANKINGS_LUA, RECORD_ENTRIES_LUA } from "./lua-scripts";
import { type StoreKeys, storeKeys } from "./redis-keys";
import { deleteKeysUnder } from "./redis-maintenance";

/**
 * The analytics store of one key generation (its keys: redis-keys.ts). Recording is one Lua
 * script per chunk of entries (lua-scripts.ts), exactly once and all or nothing; each read is one
 * plain command, or one script where it would otherwise take more than one round trip. Every counter
 * stays at most MAX_COUNTER (9 x 10^18): an entry that would pass it is refused.
 */

export interface RedisStoreOptions {
  /** Key prefix, e.g. `orders:` (a generation's: see generationPrefix). */
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

/** The store's scripts as commands of the client (ioredis runs them by EVALSHA, loading them when Redis has not). */
interface StoreCommands {
  /** KEYS[1] routes the call on a cluster: any key of the generation's slot. */
  recordEntries(routingKey: string, ...args: (string | number)[]): Promise<string>;
  /** JSON (see `jsonReply`), or null for a month without data. */
  monthStats(routingKey: string, ...args: (string | number)[]): Promise<string | null>;
  /** JSON (see `jsonReply`). */
  rankings(routingKey: string, ...args: (string | number)[]): Promise<string>;
}

function withStoreCommands(redis: RedisClient): RedisClient & StoreCommands {
  const client = redis as (Redis | Cluster) & Partial<StoreCommands>;
  if (!client.recordEntries) {
    client.defineCommand("recordEntries", { numberOfKeys: 1, lua: RECORD_ENTRIES_LUA });
    client.defineCommand("monthStats", { numberOfKeys: 1, lua: MONTH_STATS_LUA });
    client.defineCommand("rankings", { numberOfKeys: 1, lua: RANKINGS_LUA });
  }
  return client as RedisClient & StoreCommands;
}

export function createGenerationStore(redis: RedisClient, options: RedisStoreOptions): AnalyticsStore {
  return new GenerationStore(withStoreCommands(redis), options);
}

class GenerationStore implements AnalyticsStore {
  private readonly redis: RedisClient & StoreCommands;
  private readonly keys: StoreKeys;
  private readonly chunkSize: number;
  private readonly markerTtlSeconds: number;
  private readonly logMaxLength: number;

  constructor(redis: RedisClient & StoreCommands, options: RedisStoreOptions) {
    this.redis = redis;
    this.keys = storeKeys(options.prefix);
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.markerTtlSeconds = options.markerTtlSeconds ?? DEFAULT_MARKER_TTL_SECONDS;
    this.logMaxLength = options.logMaxLength ?? DEFAULT_LOG_MAX_LENGTH;
  }

  async record(entries: readonly AnalyticsEntry[]): Promise<RecordStatus[]> {
    // All chunks go out at once (one round trip each, pipelined on the connection); a chunk
    // that fails changed nothing, so its entries are simply reported for retry.
    const results = await Promise.all(
      chunks(entries, this.chunkSize).map((chunk) => this.recordOrIsolate(chunk)),
    );
    return results.flat();
  }

  /**
   * One chunk. When Redis refuses it (the script failed on something in it, and wrote nothing),
   * its halves go again on their own, one after the other, down to the entries it refuses: one
   * entry it cannot take must not hold back the others of its chunk.
   */
  private async recordOrIsolate(chunk: readonly AnalyticsEntry[]): Promise<RecordStatus[]> {
    try {
      return await this.recordChunk(chunk);
    } catch (error) {
      if (!isRefusal(error)) return chunk.map((): RecordStatus => "unavailable");
      if (chunk.length === 1) return ["refused"];
      const middle = Math.ceil(chunk.length / 2);
      const first = await this.recordOrIsolate(chunk.slice(0, middle));
      return [...first, ...(await this.recordOrIsolate(chunk.slice(middle)))];
    }
  }

  private async recordChunk(entries: readonly AnalyticsEntry[]): Promise<RecordStatus[]> {
    const rows = JSON.stringify(entries.map(toScriptRow));
    const { prefix, global } = this.keys;
    const letters = String(
      await this.redis.recordEntries(global, prefix, this.markerTtlSeconds, this.logMaxLength, rows),
    );
    if (letters.length !== entries.length)
      throw new Error(`record script returned ${letters.length} statuses`);
    return Array.from(letters, (letter) => STATUS_BY_LETTER[letter] ?? "unavailable");
  }

  async userStats(userId: string): Promise<UserStats | undefined> {
    const values = await this.redis.hmget(this.keys.user(userId), ...USER_FIELDS);
    return values.every((value) => value === null) ? undefined : toUserStats(values);
  }

  async globalStats(): Promise<TotalsStats> {
    return toTotals(await this.redis.hgetall(this.keys.global));
  }

  async monthStats(month: string, userLimit: number): Promise<MonthStats | undefined> {
    const reply = await this.redis.monthStats(this.keys.global, this.keys.prefix, month, userLimit);
    if (reply === null) return undefined;
    const [totals, userCount, flatUsers] = jsonReply(reply) as [string[], number, string[]];
    const users: MonthStats["users"] = [];
    for (let i = 0; i + 3 < flatUsers.length; i += 4) {
      users.push({ userId: flatUsers[i] as string, ...toUserStats(flatUsers.slice(i + 1, i + 4)) });
    }
    return { month, ...toTotals(fieldsToRecord(totals)), users, userCount: Number(userCount) };
  }

  async months(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.months)).sort();
  }

  async monthTotals(months: readonly string[]): Promise<TotalsStats[]> {
    // Sent together, each written as it is issued: one round trip, one slot on a cluster.
    const hashes = await Promise.all(months.map((month) => this.redis.hgetall(this.keys.month(month))));
    return hashes.map(toTotals);
  }

  async rankings(limit: number) {
    const reply = await this.redis.rankings(this.keys.global, this.keys.prefix, limit);
    const [bySpend, byOrders] = jsonReply(reply) as [string[], string[]];
    return {
      // Each spend exact: the score below 2^53, the user's counter from there (see RANKINGS_LUA).
      bySpend: pairs(bySpend).map(([userId, spend]) => ({ userId, spendCents: centsFromCounter(spend) })),
      byOrderCount: pairs(byOrders).map(([userId, orders]) => ({ userId, orderCount: Number(orders) })),
    };
  }

  async latestLogs(limit: number): Promise<ConsumerLogEntry[]> {
    const rows = await this.redis.xrevrange(this.keys.logs, "+", "-", "COUNT", limit);
    return rows.map(([id, fields]): ConsumerLogEntry => {
      const record = fieldsToRecord(fields);
      return {
        id,
        outcome: record.outcome as ConsumerLogEntry["outcome"],
        details: readLogDetails(record.details),
      };
    });
  }

  clear(): Promise<number> {
    return deleteKeysUnder(this.redis, this.keys.prefix);
  }

  async ping(): Promise<boolean> {
    return (await this.redis.ping()) === "PONG";
  }
}

/**
 * True for an error the script raised while it ran (Redis names the script: `user_script`): Redis
 * answered, and would answer the same again. Anything else (no connection, a timeout, a server
 * loading or failing over) may pass.
 */
function isRefusal(error: unknown): boolean {
  return error instanceof ReplyError && /user_script/.test((error as Error).message);
}

/** One entry as the record script reads it (see lua-scripts.ts). */
function toScriptRow(entry: AnalyticsEntry): (string | number)[] {
  const kind = entry.kind === "valid" && entry.corrected ? CORRECTED_LETTER : KIND_LETTER[entry.kind];
  if (entry.kind === "valid") {
    const { messageId, orderId, userId, month, valueCents, log, sentAtMs } = entry;
    return [kind, messageId, orderId, userId, month, valueCents, log, sentAtMs];
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

/**
 * A read script's reply, sent as one JSON string (cjson.encode) rather than nested arrays: a reply
 * of tens of values costs the client's RESP decoder far more than one string and JSON.parse (12
 * of about 60 µs a month's read, measured). Lua has no empty array, only an empty table, which
 * cjson writes as `{}`: such a part comes back as an empty array.
 */
function jsonReply(reply: string): unknown[] {
  const emptyTable = (part: unknown) => typeof part === "object" && part !== null && !Array.isArray(part);
  return (JSON.parse(reply) as unknown[]).map((part) => (emptyTable(part) ? [] : part));
}

/** [member, score, member, score, ...] -> [[member, score], ...] */
function pairs(flat: readonly string[]): [string, string][] {
  const found: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) found.push([flat[i] as string, flat[i + 1] as string]);
  return found;
}

function fieldsToRecord(fields: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i] as string] = fields[i + 1] as string;
  return record;
}
