import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore } from "../../lambdas/adapters/redis-store";
import { createOrderGenerator, seededRandom } from "../../lambdas/core/generator";
import type { RedisClient } from "../../lambdas/shared/clients";
import { processBatch } from "../../lambdas/sqs/process-batch";
import { expectedFigures } from "../support/expected";
import { sqsRecords } from "../support/factories";
import { silentLogger } from "../support/fakes";
import { connectRedis, deleteKeys, uniquePrefix } from "../support/redis";

/** 10,000 orders over 200 users and two months: every view of the figures must agree. */

const ORDER_COUNT = 10_000;
const USER_IDS = Array.from({ length: 200 }, (_, i) => `U${3000 + i}`);
const prefix = uniquePrefix("reconcile");
let redis: RedisClient;
const generate = createOrderGenerator({
  random: seededRandom(2026),
  userIds: USER_IDS,
  now: () => Date.parse("2026-11-20T12:00:00Z"),
  spreadDays: 40, // mid-October to November 20th
});
const orders = Array.from({ length: ORDER_COUNT }, generate);
const expected = expectedFigures(orders);

beforeAll(async () => {
  redis = connectRedis();
  const store = createRedisStore(redis, { prefix, markerTtlSeconds: 3600, logMaxLength: 1000 });
  const deps = { store, sendToDlq: () => Promise.reject(new Error("no DLQ needed")), logger: silentLogger };
  for (let start = 0; start < ORDER_COUNT; start += 1000) {
    const batch = sqsRecords(...orders.slice(start, start + 1000).map((g) => g.order));
    const { batchItemFailures } = await processBatch(batch, deps);
    if (batchItemFailures.length > 0)
      throw new Error(`setup: ${batchItemFailures.length} records not recorded`);
  }
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe("10,000 orders over many users and two months", () => {
  const store = () => createRedisStore(redis, { prefix, markerTtlSeconds: 3600, logMaxLength: 1000 });

  it("spans the two months the data was generated for", async () => {
    expect(await store().months()).toEqual(["2026-10", "2026-11"]);
    expect([...expected.months.keys()].sort()).toEqual(["2026-10", "2026-11"]);
  });

  it("has global figures equal to the generated orders, revenue exact to the cent", async () => {
    expect(await store().globalStats()).toEqual({
      totalOrders: expected.totalOrders,
      revenueCents: expected.revenueCents,
      failedOrders: expected.failedOrders,
      duplicates: 0,
      correctedOrders: 0,
      failedByReason: expected.failedByReason,
    });
  });

  it("sums over users to the global figures", async () => {
    const global = await store().globalStats();
    let orderCount = 0;
    let spendCents = 0;
    for (const userId of USER_IDS) {
      const user = await store().userStats(userId);
      expect(user).toEqual(expected.users.get(userId));
      orderCount += user?.orderCount ?? 0;
      spendCents += Number(user?.spendCents ?? 0);
    }
    expect({ orderCount, spendCents }).toEqual({
      orderCount: global.totalOrders,
      spendCents: global.revenueCents,
    });
  });

  it("sums over months to the global figures, and over each month's users to the month", async () => {
    const global = await store().globalStats();
    let totalOrders = 0;
    let revenueCents = 0;
    let failedOrders = 0;
    for (const month of await store().months()) {
      const stats = await store().monthStats(month, 1000);
      expect(stats).toMatchObject(expected.months.get(month) ?? {});
      totalOrders += stats?.totalOrders ?? 0;
      revenueCents += Number(stats?.revenueCents ?? 0);
      failedOrders += stats?.failedOrders ?? 0;
      const users = stats?.users ?? [];
      expect(users.reduce((sum, u) => sum + Number(u.spendCents), 0)).toBe(stats?.revenueCents);
      expect(users.reduce((sum, u) => sum + u.orderCount, 0)).toBe(stats?.totalOrders);
      const spends = users.map((u) => Number(u.spendCents));
      expect(spends).toEqual([...spends].sort((a, b) => b - a));
    }
    // failed orders with an invalid user id count in the month but not for any user
    expect({ totalOrders, revenueCents, failedOrders }).toEqual({
      totalOrders: global.totalOrders,
      revenueCents: global.revenueCents,
      failedOrders: global.failedOrders,
    });
  });

  it("ranks users in order, matching their own stats", async () => {
    const rankings = await store().rankings(100);
    expect(rankings.bySpend).toHaveLength(100);
    const spends = rankings.bySpend.map((r) => Number(r.spendCents));
    expect(spends).toEqual([...spends].sort((a, b) => b - a));
    const counts = rankings.byOrderCount.map((r) => r.orderCount);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const top = rankings.bySpend[0];
    expect(top?.spendCents).toBe(expected.users.get(top?.userId ?? "")?.spendCents);
    const topSpend = Math.max(...[...expected.users.values()].map((u) => u.spendCents));
    expect(top?.spendCents).toBe(topSpend);
  });
});
