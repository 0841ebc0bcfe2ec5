import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  generationsKey,
  rebuildLeaseKey,
  rebuildProgressKey,
  storeKeys,
} from "../../lambdas/adapters/redis-keys";
import { deleteDeploymentKeys } from "../../lambdas/adapters/redis-maintenance";
import { createRedisStore } from "../../lambdas/adapters/redis-store";
import { type AnalyticsEntry, MAX_COUNTER } from "../../lambdas/core/analytics-store";
import { generationPrefix } from "../../lambdas/core/key-prefix";
import type { RedisClient } from "../../lambdas/shared/clients";
import { connectRedis, deleteKeys, keysUnder, uniquePrefix } from "../support/redis";

const redis: RedisClient = connectRedis();
const prefix = uniquePrefix("store");
const store = createRedisStore(redis, { prefix, markerTtlSeconds: 3600, logMaxLength: 1000, chunkSize: 3 });

afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});
beforeEach(() => deleteKeys(redis, prefix));

const valid = (messageId: string, orderId: string, userId: string, valueCents: number, month = "2026-11") =>
  ({
    kind: "valid",
    messageId,
    orderId,
    userId,
    month,
    valueCents,
    sentAtMs: 0,
    log: `{"message_id":"${messageId}"}`,
  }) as const;

/** A batch holding every outcome: two valid users, a duplicate, every failure reason, malformed. */
const everyOutcome: AnalyticsEntry[] = [
  valid("m1", "ORD1", "U1000", 1050),
  valid("m2", "ORD2", "U1001", 2000),
  valid("m3", "ORD3", "U1000", 99, "2026-10"),
  valid("m4", "ORD1", "U1000", 1050), // same order again in another message: a duplicate
  {
    kind: "failed",
    messageId: "m5",
    orderId: "BAD5",
    reason: "invalid_order_id",
    userId: "U1001",
    month: "2026-11",
    sentAtMs: 0,
    log: "{}",
  },
  {
    kind: "failed",
    messageId: "m6",
    orderId: "ORD6",
    reason: "invalid_user_id",
    userId: undefined,
    month: "2026-11",
    sentAtMs: 0,
    log: "{}",
  },
  {
    kind: "failed",
    messageId: "m7",
    orderId: "ORD7",
    reason: "non_positive_value",
    userId: "U1002",
    month: "2026-10",
    sentAtMs: 0,
    log: "{}",
  },
  {
    kind: "failed",
    messageId: "m8",
    orderId: "ORD8",
    reason: "value_mismatch",
    userId: "U1000",
    month: "2026-11",
    sentAtMs: 0,
    log: "{}",
  },
  { kind: "malformed", messageId: "m9", log: '{"reason":"malformed"}' },
];

async function snapshot() {
  return {
    global: await store.globalStats(),
    users: await Promise.all(["U1000", "U1001", "U1002"].map((id) => store.userStats(id))),
    november: await store.monthStats("2026-11", 10),
    october: await store.monthStats("2026-10", 10),
    months: await store.months(),
    rankings: await store.rankings(10),
    logs: (await store.latestLogs(100)).length,
  };
}

describe("redis store", () => {
  it("records a batch holding every outcome with exactly the expected figures", async () => {
    const statuses = await store.record(everyOutcome);

    expect(statuses).toEqual([
      "applied",
      "applied",
      "applied",
      "duplicate",
      "applied",
      "applied",
      "applied",
      "applied",
      "applied",
    ]);
    expect(await store.globalStats()).toEqual({
      totalOrders: 3,
      revenueCents: 3149,
      failedOrders: 5,
      duplicates: 1,
      correctedOrders: 0,
      failedByReason: {
        invalid_order_id: 1,
        invalid_user_id: 1,
        non_positive_value: 1,
        value_mismatch: 1,
        malformed: 1,
      },
    });
    expect(await store.userStats("U1000")).toEqual({ orderCount: 2, spendCents: 1149, failedOrderCount: 1 });
    expect(await store.userStats("U1001")).toEqual({ orderCount: 1, spendCents: 2000, failedOrderCount: 1 });
    expect(await store.userStats("U1002")).toEqual({ orderCount: 0, spendCents: 0, failedOrderCount: 1 });
    expect(await store.userStats("U9999")).toBeUndefined();

    const november = await store.monthStats("2026-11", 10);
    expect(november).toMatchObject({
      totalOrders: 2,
      revenueCents: 3050,
      failedOrders: 3,
      duplicates: 1,
      userCount: 2,
    });
    expect(november?.users).toEqual([
      { userId: "U1001", orderCount: 1, spendCents: 2000, failedOrderCount: 1 },
      { userId: "U1000", orderCount: 1, spendCents: 1050, failedOrderCount: 1 },
    ]);
    const october = await store.monthStats("2026-10", 10);
    expect(october).toMatchObject({ totalOrders: 1, revenueCents: 99, failedOrders: 1 });
    expect(october?.users.map((u) => u.userId)).toEqual(["U1000", "U1002"]);
    expect(await store.monthStats("2026-09", 10)).toBeUndefined();
    expect(await store.months()).toEqual(["2026-10", "2026-11"]);

    expect(await store.rankings(10)).toEqual({
      bySpend: [
        { userId: "U1001", spendCents: 2000 },
        { userId: "U1000", spendCents: 1149 },
      ],
      byOrderCount: [
        { userId: "U1000", orderCount: 2 },
        { userId: "U1001", orderCount: 1 },
      ],
    });
    const logs = await store.latestLogs(100);
    expect(logs).toHaveLength(9);
    expect(logs[0]).toMatchObject({ outcome: "malformed", details: { reason: "malformed" } });
    expect(logs.map((log) => log.outcome)).toContain("duplicate");
  });

  it("changes nothing when the same batch is delivered again", async () => {
    await store.record(everyOutcome);
    const before = await snapshot();

    const statuses = await store.record(everyOutcome);

    expect(statuses.every((status) => status === "replayed")).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it("counts an order id once however many messages carry it", async () => {
    const copies = Array.from({ length: 5 }, (_, i) => valid(`copy-${i}`, "ORD-SAME", "U1000", 500));

    await store.record(copies);
    await store.record(copies.slice(2)); // and some of those messages redelivered

    expect(await store.userStats("U1000")).toMatchObject({ orderCount: 1, spendCents: 500 });
    expect((await store.globalStats()).duplicates).toBe(4);
  });

  it("limits the month's users and rankings to the requested number", async () => {
    await store.record(
      Array.from({ length: 12 }, (_, i) => valid(`l${i}`, `ORDL${i}`, `U${2000 + i}`, 100 * (i + 1))),
    );

    const month = await store.monthStats("2026-11", 5);
    expect(month?.users.map((u) => u.userId)).toEqual(["U2011", "U2010", "U2009", "U2008", "U2007"]);
    expect(month?.userCount).toBe(12);
    expect((await store.rankings(3)).bySpend.map((r) => r.userId)).toEqual(["U2011", "U2010", "U2009"]);
  });

  it("clears its own prefix and nothing else", async () => {
    const neighbourPrefix = uniquePrefix("neighbour");
    const neighbour = createRedisStore(redis, {
      prefix: neighbourPrefix,
      markerTtlSeconds: 60,
      logMaxLength: 10,
    });
    await neighbour.record([valid("n1", "ORDN", "U1000", 100)]);
    await store.record(everyOutcome);

    const deleted = await store.clear();

    expect(deleted).toBeGreaterThan(10);
    expect(await keysUnder(redis, storeKeys(prefix).prefix)).toEqual([]);
    expect(await neighbour.globalStats()).toMatchObject({ totalOrders: 1, revenueCents: 100 });
    await neighbour.clear();
  });

  it("deletes every key under a prefix that spans many slots (on a cluster, one slot per command)", async () => {
    // Thirty generations' hash tags: on three masters, several share a node and one SCAN page.
    const keys = Array.from({ length: 30 }, (_, i) => storeKeys(generationPrefix(prefix, i + 1)).global);
    for (const key of keys) await redis.set(key, "1");

    expect(await deleteDeploymentKeys(redis, prefix)).toBe(30);
    for (const key of keys) expect(await redis.exists(key)).toBe(0);
  });

  it("deletes a deployment's keys and none of those whose key prefix starts with its own", async () => {
    // Each deployment's keys: two generations, the pointer, a rebuild's progress and its lease.
    const keysOf = (keyPrefix: string) => [
      storeKeys(keyPrefix).global,
      storeKeys(generationPrefix(keyPrefix, 2)).global,
      generationsKey(keyPrefix),
      rebuildProgressKey(keyPrefix),
      rebuildLeaseKey(keyPrefix, randomUUID()),
    ];
    const owner = uniquePrefix("owner");
    const others = ["general:", "rebuilds:", "generations:", "gen2x:", "rebuild:lease:"].map(
      (suffix) => `${owner}${suffix}`,
    );
    const ownKeys = keysOf(owner);
    const othersKeys = others.flatMap(keysOf);
    for (const key of [...ownKeys, ...othersKeys]) await redis.set(key, "1");

    try {
      expect(await deleteDeploymentKeys(redis, owner)).toBe(ownKeys.length);
      for (const key of ownKeys) expect(await redis.exists(key), key).toBe(0);
      for (const key of othersKeys) expect(await redis.exists(key), key).toBe(1);
    } finally {
      for (const key of othersKeys) await redis.del(key);
    }
  });

  it("treats glob characters in the prefix literally when clearing", async () => {
    const starPrefix = `${uniquePrefix("glob")}*:`;
    const star = createRedisStore(redis, { prefix: starPrefix, markerTtlSeconds: 60, logMaxLength: 10 });
    await store.record([valid("g1", "ORDG", "U1000", 100)]);
    await star.record([valid("g2", "ORDG2", "U1000", 100)]);

    await star.clear();

    expect((await store.globalStats()).totalOrders).toBe(1);
  });

  it("keeps the consumer log capped", async () => {
    const small = createRedisStore(redis, { prefix, markerTtlSeconds: 60, logMaxLength: 10, chunkSize: 500 });
    await small.record(Array.from({ length: 1000 }, (_, i) => valid(`c${i}`, `ORDC${i}`, "U1000", 1)));

    expect(await redis.xlen(storeKeys(prefix).logs)).toBeLessThan(200);
    expect((await small.latestLogs(5)).map((log) => log.details.message_id)).toEqual([
      "c999",
      "c998",
      "c997",
      "c996",
      "c995",
    ]);
  });

  it("keeps every exactly-once marker twice its TTL (it expires by the messages' sent times)", async () => {
    await store.record(everyOutcome);
    const markers = await keysUnder(redis, storeKeys(prefix).markers);
    expect(markers.length).toBe(9); // 3 orders + duplicate message + 5 failed/malformed messages
    for (const marker of markers) {
      const ttl = await redis.ttl(marker);
      expect(ttl).toBeGreaterThan(7100);
      expect(ttl).toBeLessThanOrEqual(7200);
    }
  });
});

describe("accounting that a hostile probe found wrong", () => {
  const failed = (messageId: string, orderId: string, userId = "U1000"): AnalyticsEntry => ({
    kind: "failed",
    messageId,
    orderId,
    reason: "value_mismatch",
    userId,
    month: "2026-11",
    sentAtMs: 0,
    log: "{}",
  });
  const keys = storeKeys(prefix);

  it("counts a rule-breaking order once however often it is sent; later sends are duplicates", async () => {
    const statuses = await store.record([
      failed("f1", "ORD-F"),
      failed("f2", "ORD-F"),
      failed("f3", "ORD-F"),
    ]);

    expect(statuses).toEqual(["applied", "duplicate", "duplicate"]);
    expect(await store.globalStats()).toMatchObject({ failedOrders: 1, duplicates: 2 });
    expect(await store.userStats("U1000")).toMatchObject({ failedOrderCount: 1 });
    expect(await store.record([failed("f2", "ORD-F")])).toEqual(["replayed"]); // a redelivery
  });

  it("lets the first outcome of an order id stand: valid then failed counts the valid one only", async () => {
    expect(await store.record([valid("v1", "ORD-X", "U1000", 500), failed("v2", "ORD-X")])).toEqual([
      "applied",
      "duplicate",
    ]);
    expect(await store.globalStats()).toMatchObject({ totalOrders: 1, failedOrders: 0, duplicates: 1 });
  });

  it("refuses an order whose count would overflow a counter, writing nothing for it", async () => {
    await redis.hset(keys.user("U1000"), "spend_cents", "9223372036854775000"); // near 2^63
    const before = await store.globalStats();

    const statuses = await store.record([
      valid("o1", "ORD-BIG", "U1000", 1000),
      valid("o2", "ORD-OK", "U1001", 7),
    ]);

    expect(statuses).toEqual(["out_of_range", "applied"]);
    expect(await store.globalStats()).toMatchObject({
      totalOrders: before.totalOrders + 1,
      revenueCents: Number(before.revenueCents) + 7,
    });
    expect(await store.monthStats("2026-11", 10)).toMatchObject({ totalOrders: 1, revenueCents: 7 });
    // No marker: the same message is refused again, not taken as already counted.
    expect(await store.record([valid("o1", "ORD-BIG", "U1000", 1000)])).toEqual(["out_of_range"]);
  });

  it("keeps totals exact past 2^53 cents (64-bit counters, read back as bigint), and refuses only past MAX_COUNTER", async () => {
    await store.record([valid("e1", "ORD-E1", "U1000", Number.MAX_SAFE_INTEGER - 100)]);
    expect(await store.record([valid("e2", "ORD-E2", "U1000", 1001)])).toEqual(["applied"]);
    expect((await store.userStats("U1000"))?.spendCents).toBe(BigInt(Number.MAX_SAFE_INTEGER) + 901n);
    expect((await store.globalStats()).revenueCents).toBe(BigInt(Number.MAX_SAFE_INTEGER) + 901n);
    // Past 2^53 the ranking's score (a double) has rounded: the spend shown is the exact counter.
    expect((await store.rankings(1)).bySpend).toEqual([
      { userId: "U1000", spendCents: BigInt(Number.MAX_SAFE_INTEGER) + 901n },
    ]);

    // The check runs on doubles (Lua), exact to about 1 part in 2^53 there: far inside Redis's 2^63.
    await redis.hset(keys.user("U1000"), "spend_cents", String(BigInt(MAX_COUNTER) - 5000n));
    expect(await store.record([valid("e3", "ORD-E3", "U1000", 3000)])).toEqual(["applied"]);
    expect(await store.record([valid("e4", "ORD-E4", "U1000", 5000)])).toEqual(["out_of_range"]);
    expect((await store.userStats("U1000"))?.spendCents).toBe(BigInt(MAX_COUNTER) - 2000n);
  });

  it("ranks by spend from the ranking's scores alone below 2^53 cents, without reading each user's counter", async () => {
    await store.record([valid("s1", "ORD-S1", "U1000", 1234), valid("s2", "ORD-S2", "U1001", 99)]);
    // A counter that disagrees with its score (no writer of this store does that): below 2^53 the
    // score is exact, so it is what the ranking shows; the user's own stats read the counter.
    await redis.hset(keys.user("U1000"), "spend_cents", "1");

    expect((await store.rankings(10)).bySpend).toEqual([
      { userId: "U1000", spendCents: 1234 },
      { userId: "U1001", spendCents: 99 },
    ]);
    expect((await store.userStats("U1000"))?.spendCents).toBe(1);
  });

  it("refuses only the entries Redis cannot take, and counts the others of their chunk", async () => {
    // A lone surrogate: JSON.stringify writes it as \ud800, which Redis's cjson refuses.
    const statuses = await store.record([
      valid("r1", "ORD-R1", "U1000", 100),
      valid("poison-\ud800", "ORD-R2", "U1000", 200),
      valid("r3", "ORD-R3", "U1000", 300),
      valid("r4", "ORD-R4", "U1000", 400),
    ]);
    expect(statuses).toEqual(["applied", "refused", "applied", "applied"]);
    expect(await store.globalStats()).toMatchObject({ totalOrders: 3, revenueCents: 800 });
  });

  it("refuses an entry and writes nothing at all when a key it would write has the wrong type, so a retry counts whole", async () => {
    await redis.set(keys.rankBySpend, "not a sorted set");

    expect(await store.record([valid("w1", "ORD-W1", "U1000", 100)])).toEqual(["refused"]);
    expect(await keysUnder(redis, storeKeys(prefix).markers)).toEqual([]);
    expect(await store.globalStats()).toMatchObject({ totalOrders: 0 });

    await redis.del(keys.rankBySpend);
    expect(await store.record([valid("w1", "ORD-W1", "U1000", 100)])).toEqual(["applied"]);
    expect(await store.userStats("U1000")).toMatchObject({ orderCount: 1, spendCents: 100 });
  });
});
