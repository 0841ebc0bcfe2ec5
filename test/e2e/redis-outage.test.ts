import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createOrderGenerator, seededRandom } from "../../lambdas/core/generator";
import { apiClient } from "../../lambdas/http/client/api-client";
import { type LocalMode, startLocalMode } from "../../local/local-mode";
import { PROJECT_ROOT } from "../../local/synth";
import { TcpProxy } from "../../local/tcp-proxy";
import { expectedFigures, expectedGlobalStats, expectedUserStats } from "../support/expected";
import { deleteStoreKeys, redisUrl, uniquePrefix } from "../support/redis";

/**
 * Per-message backoff, end to end: Redis is cut for 5 seconds in the middle of a 2,000-order run.
 * The batches that fail come back after their backoff (seconds), not after the queue's visibility
 * timeout (3 minutes with the defaults), so every order is counted soon after Redis returns, exactly
 * once, and none reaches the dead-letter queue. (A single Redis: the proxy cuts one server.)
 */

const ORDERS = 2_000;
const OUTAGE_MS = 5_000;
const prefix = uniquePrefix("outage");
const generate = createOrderGenerator({ random: seededRandom(515) });
const orders = Array.from({ length: ORDERS }, generate);
let proxy: TcpProxy;
let mode: LocalMode;

async function submit(batch: readonly (typeof orders)[number][]): Promise<void> {
  const { response } = await apiClient(mode.apiUrl).POST("/orders", {
    body: { orders: batch.map((g) => g.order) },
  });
  expect(response.status).toBe(202);
}

beforeAll(async () => {
  const target = new URL(redisUrl());
  proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379));
  mode = await startLocalMode({
    port: 0,
    redisUrl: `redis://127.0.0.1:${proxy.port}`,
    context: { keyPrefix: prefix },
    outdir: join(PROJECT_ROOT, "cdk.out.test", "redis-outage"),
  });
}, 120_000);

afterAll(async () => {
  await mode?.stop();
  await proxy?.close();
  await deleteStoreKeys(prefix);
});

describe("a 5-second Redis outage during a 2,000-order run", () => {
  it("ends with every order counted within 15 s of Redis returning, exactly, with no dead letter", async () => {
    const batches = Array.from({ length: ORDERS / 100 }, (_, i) => orders.slice(i * 100, (i + 1) * 100));
    for (const batch of batches.slice(0, 5)) await submit(batch);

    proxy.cutNow();
    const cutAt = Date.now();
    for (const batch of batches.slice(5)) await submit(batch); // the producer does not need Redis
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - cutAt))));
    proxy.restore();
    const restoredAt = Date.now();

    await vi.waitFor(
      async () => {
        const { data: stats } = await apiClient(mode.apiUrl).GET("/stats/global");
        if (!stats) throw new Error("GET /stats/global failed");
        expect(stats.total_orders + stats.failed_orders).toBe(ORDERS);
      },
      { timeout: 60_000, interval: 200 },
    );
    const recoverySeconds = (Date.now() - restoredAt) / 1000;
    console.log(`all ${ORDERS} orders counted ${recoverySeconds.toFixed(1)} s after Redis returned`);
    expect(recoverySeconds).toBeLessThanOrEqual(15);

    const expected = expectedFigures(orders);
    const api = apiClient(mode.apiUrl);
    expect((await api.GET("/stats/global")).data).toEqual(expectedGlobalStats(expected));
    for (const [userId, user] of expected.users) {
      const { data } = await api.GET("/users/{user_id}/stats", { params: { path: { user_id: userId } } });
      expect(data).toEqual(expectedUserStats(userId, user));
    }
    expect((await api.GET("/stats/queues")).data).toEqual({
      queue: { messages: 0, in_flight: 0 },
      dead_letter_queue: { messages: 0, in_flight: 0 },
    });
  }, 120_000);
});
