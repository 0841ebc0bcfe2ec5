import { generationPrefix, generationsPrefix } from "../core/key-prefix";

/**
 * The Redis key layout: the one place a key's name is spelled. The TypeScript store reads and
 * writes through `storeKeys`, the Lua scripts build the same names with `LUA_KEY_LAYOUT` (made from
 * the same names), and tests, benchmarks and maintenance find a deployment's keys here too.
 *
 * A deployment's key prefix (`orders:`) owns:
 *   - each key generation's keys (see redis-generations.ts), under the generation's prefix made a
 *     hash tag (`{orders:}`, `{orders:gen2:}`...): on a Redis Cluster every key of a generation
 *     hashes to one slot, so each Lua script's keys are on one node, as a cluster requires;
 *   - outside every generation: the generation pointer and a rebuild's state.
 *
 * Within a generation, after its tagged prefix:
 *   user:<id>                  hash  order_count, spend_cents, failed_order_count
 *   global                     hash  total_orders, revenue_cents, failed_orders, duplicates,
 *                                    corrected_orders, failed:<reason>
 *   month:<YYYY-MM>            hash  the month's totals, same fields as global
 *   month:<YYYY-MM>:user:<id>  hash  the user's figures in that month
 *   month:<YYYY-MM>:by_spend   zset  the month's users by spend (cents)
 *   rank:spend, rank:orders    zset  all-time rankings
 *   months                     set   months with data
 *   seen:order:<id>, seen:msg:<id>  string with TTL: exactly-once markers (see lua-scripts.ts)
 *   logs                       stream, capped: consumer log entries
 */

/** What both kinds of exactly-once marker start with. */
const MARKER = "seen:";

const NAMES = {
  global: "global",
  logs: "logs",
  months: "months",
  rankBySpend: "rank:spend",
  rankByOrders: "rank:orders",
  user: "user:",
  month: "month:",
  monthUser: ":user:",
  monthBySpend: ":by_spend",
  orderMarker: `${MARKER}order:`,
  messageMarker: `${MARKER}msg:`,
} as const;

/** The prefix every key of a generation with this key prefix starts with: `orders:` -> `{orders:}`. */
function storeKeyPrefix(keyPrefix: string): string {
  if (/[{}]/.test(keyPrefix)) throw new Error(`a key prefix may not contain { or }: ${keyPrefix}`);
  return `{${keyPrefix}}`;
}

/** The keys of the generation whose key prefix is `keyPrefix` (a generation's, see generationPrefix). */
export function storeKeys(keyPrefix: string) {
  const prefix = storeKeyPrefix(keyPrefix);
  const month = (yearMonth: string) => `${prefix}${NAMES.month}${yearMonth}`;
  return {
    /** The tagged prefix itself: every key below starts with it. */
    prefix,
    global: prefix + NAMES.global,
    logs: prefix + NAMES.logs,
    months: prefix + NAMES.months,
    rankBySpend: prefix + NAMES.rankBySpend,
    rankByOrders: prefix + NAMES.rankByOrders,
    user: (userId: string) => `${prefix}${NAMES.user}${userId}`,
    month,
    monthUser: (yearMonth: string, userId: string) => `${month(yearMonth)}${NAMES.monthUser}${userId}`,
    monthBySpend: (yearMonth: string) => month(yearMonth) + NAMES.monthBySpend,
    /** What every exactly-once marker's key starts with. */
    markers: prefix + MARKER,
    orderMarker: (orderId: string) => `${prefix}${NAMES.orderMarker}${orderId}`,
    messageMarker: (messageId: string) => `${prefix}${NAMES.messageMarker}${messageId}`,
  };
}

export type StoreKeys = ReturnType<typeof storeKeys>;

const lua = (text: string) => `'${text}'`;

/**
 * The same keys inside a Lua script, built from its local `prefix` (the tagged prefix, passed in
 * ARGV): the script declares `prefix` first, then includes this.
 */
export const LUA_KEY_LAYOUT = `
local globalKey, logsKey, monthsKey = prefix .. ${lua(NAMES.global)}, prefix .. ${lua(NAMES.logs)}, prefix .. ${lua(NAMES.months)}
local rankBySpendKey, rankByOrdersKey = prefix .. ${lua(NAMES.rankBySpend)}, prefix .. ${lua(NAMES.rankByOrders)}
local function userKey(userId) return prefix .. ${lua(NAMES.user)} .. userId end
local function monthKeyOf(month) return prefix .. ${lua(NAMES.month)} .. month end
local function monthUserKey(month, userId) return monthKeyOf(month) .. ${lua(NAMES.monthUser)} .. userId end
local function monthBySpendKey(month) return monthKeyOf(month) .. ${lua(NAMES.monthBySpend)} end
local function orderMarkerKey(orderId) return prefix .. ${lua(NAMES.orderMarker)} .. orderId end
local function messageMarkerKey(messageId) return prefix .. ${lua(NAMES.messageMarker)} .. messageId end
`;

/** The hash naming the active generation (and the one being built); outside every generation. */
export function generationsKey(keyPrefix: string): string {
  return `${keyPrefix}generations`;
}

/** A rebuild's progress (what `GET /admin/rebuild` shows); outside every generation. */
export function rebuildProgressKey(keyPrefix: string): string {
  return `${keyPrefix}rebuild`;
}

/** The lease of one rebuild: one invocation at a time works on it. */
export function rebuildLeaseKey(keyPrefix: string, rebuildId: string): string {
  return `${rebuildProgressKey(keyPrefix)}:lease:${rebuildId}`;
}

/** Keys that start with `prefix` (what SCAN MATCH finds), of which a deployment owns those `owns` accepts. */
export interface OwnedKeys {
  prefix: string;
  owns: (key: string) => boolean;
}

/** A rebuild's id (randomUUID): what a lease key ends with. */
const REBUILD_ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/**
 * Every key a deployment's key prefix owns, and only those. A prefix alone would not do: another
 * deployment's key prefix may extend this one (the schema allows `orders:general:` and
 * `orders:rebuilds:` beside `orders:`), and `orders:gen*` finds its keys too.
 */
export function deploymentKeys(keyPrefix: string): OwnedKeys[] {
  const exactly = (key: string): OwnedKeys => ({ prefix: key, owns: (found) => found === key });
  const matching = (prefix: string, pattern: string): OwnedKeys => {
    const owned = new RegExp(`^${escapeRegExp(prefix)}${pattern}`);
    return { prefix, owns: (found) => owned.test(found) };
  };
  return [
    { prefix: storeKeyPrefix(keyPrefix), owns: () => true }, // `{orders:}`: the brace closes the prefix
    // `{orders:gen2:}...`: every later generation, and not `{orders:general:}...`
    matching(storeKeyPrefix(generationsPrefix(keyPrefix)).slice(0, -1), "\\d+:\\}"),
    exactly(generationsKey(keyPrefix)),
    exactly(rebuildProgressKey(keyPrefix)),
    matching(rebuildLeaseKey(keyPrefix, ""), `${REBUILD_ID}$`),
  ];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The tagged prefix of one generation, for deleting it. */
export function generationKeyPrefix(keyPrefix: string, generation: number): string {
  return storeKeyPrefix(generationPrefix(keyPrefix, generation));
}
