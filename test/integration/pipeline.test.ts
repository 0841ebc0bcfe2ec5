import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderMessage } from "../../lambdas/core/order";
import {
  type ExpectedFigures,
  expectedFigures,
  expectedGlobalStats,
  expectedUserStats,
} from "../support/expected";
import { judged } from "../support/oracle";
import { startTestApi, type TestApi } from "../support/test-api";

/** 200 orders through POST /produce, the queue and the consumer; every stats endpoint must agree. */

let api: TestApi;
let expected: ExpectedFigures;
const money = (cents: number) => cents / 100;

beforeAll(async () => {
  api = await startTestApi({ name: "pipeline" });
  const produced: OrderMessage[] = [];
  for (const count of [120, 80]) {
    // Whole orders (the oracle judges them), spread over two months so the month views differ.
    const response = await api.call("POST", "/produce", {
      body: { count, full_orders: true, spread_days: 60 },
    });
    if (response.status !== 200) throw new Error(`setup: POST /produce answered ${response.status}`);
    produced.push(...response.json.orders);
  }
  const consumed = await api.consumeAll();
  if (consumed !== 200) throw new Error(`setup: the consumer took ${consumed} of 200 orders`);
  expected = expectedFigures(judged(produced));
});
afterAll(() => api.close());

describe("produce, consume, query", () => {
  it("counts valid orders, failed orders by reason and revenue exactly", async () => {
    const { json } = await api.call("GET", "/stats/global");
    expect(json).toEqual(expectedGlobalStats(expected));
    expect(expected.failedOrders).toBeGreaterThan(10); // ~20% of 200: the mix really was exercised
  });

  it("shows every user's figures", async () => {
    for (const [userId, user] of expected.users) {
      const { json } = await api.call("GET", `/users/${userId}/stats`);
      expect(json).toEqual(expectedUserStats(userId, user));
    }
  });

  it("ranks the users as their figures say", async () => {
    const { json } = await api.call("GET", "/users", { query: { limit: "100" } });
    const bySpend = [...expected.users]
      .filter(([, u]) => u.orderCount > 0)
      .sort(([, a], [, b]) => b.spendCents - a.spendCents);
    expect(json.total_spend_ranking).toEqual(
      bySpend.map(([id, u], index) => ({
        position: index + 1,
        user_id: id,
        total_spend: money(u.spendCents),
      })),
    );
    const counts = json.total_order_count_ranking.map(
      (r: { total_order_count: number }) => r.total_order_count,
    );
    expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a));
  });

  it("splits the figures by month", async () => {
    const { json: months } = await api.call("GET", "/stats/months");
    expect(months.months).toEqual([...expected.months.keys()].sort());
    for (const [month, figures] of expected.months) {
      const { json } = await api.call("GET", `/stats/monthly/${month}`);
      expect(json).toMatchObject({
        month,
        total_orders: figures.totalOrders,
        total_revenue: money(figures.revenueCents),
        failed_orders: figures.failedOrders,
      });
    }
  });

  it("logs every consumed message", async () => {
    const { json } = await api.call("GET", "/consumer_logs", { query: { limit: "1000" } });
    expect(json.total_logs).toBe(200);
    const failed = json.logs.filter((log: { status: string }) => log.status === "failed").length;
    expect(failed).toBe(expected.failedOrders);
  });
});
