import { join } from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createOrderGenerator, seededRandom } from "../../lambdas/core/generator";
import { apiClient } from "../../lambdas/http/client/api-client";
import { createRedisClient, type RedisClient } from "../../lambdas/shared/clients";
import { NO_FAULTS } from "../../local/faults";
import { type LocalMode, startLocalMode } from "../../local/local-mode";
import { type LocalRedis, startRedisServer } from "../../local/redis-server";
import { PROJECT_ROOT } from "../../local/synth";
import { rebuildThroughApi } from "../support/rebuild";
import { localS3Client } from "../support/sqs";

/**
 * Nothing lost even when Redis is: 20,000 orders through local mode with every batch delivered
 * twice, then Redis flushed entirely (a Redis of this test's own), then a rebuild from the order
 * archive. Every figure comes back to the cent; a second rebuild changes nothing.
 */

const ORDERS = 20_000;
const PER_REQUEST = 100;
const generate = createOrderGenerator({ random: seededRandom(1818), spreadDays: 200 });
const orders = Array.from({ length: ORDERS }, generate);
let redis: LocalRedis;
let client: RedisClient;
let mode: LocalMode;
const adminToken = "archive-test-token";

// biome-ignore lint/suspicious/noExplicitAny: response bodies, compared whole
type Json = any;

async function getJson(path: string): Promise<Json> {
  const response = await fetch(`${mode.apiUrl}${path}`);
  expect(response.status, path).toBe(200);
  return response.json();
}

/** Every figure the API shows: global, every user, every month, both rankings. */
async function allFigures(): Promise<Json> {
  const users = [...new Set(orders.map((g) => g.order.user_id))].sort();
  const months = (await getJson("/stats/months")).months as string[];
  return {
    global: await getJson("/stats/global"),
    rankings: await getJson("/users?limit=100"),
    months,
    monthly: await Promise.all(months.map((month) => getJson(`/stats/monthly/${month}?limit=1000`))),
    users: await Promise.all(
      users.map(async (userId) => {
        const response = await fetch(`${mode.apiUrl}/users/${encodeURIComponent(userId)}/stats`);
        return { userId, status: response.status, body: await response.json() };
      }),
    ),
  };
}

const rebuild = () => rebuildThroughApi(mode.apiUrl, adminToken);

beforeAll(async () => {
  redis = await startRedisServer();
  client = createRedisClient(redis.url, { idempotent: true });
  process.env.ADMIN_TOKEN = adminToken;
  mode = await startLocalMode({
    port: 0,
    redisUrl: redis.url,
    faults: { ...NO_FAULTS, duplicateDelivery: true },
    context: { logLevel: "ERROR", rebuildTimeoutSeconds: "10" },
    outdir: join(PROJECT_ROOT, "cdk.out.test", "archive-rebuild"),
  });
}, 120_000);

afterAll(async () => {
  delete process.env.ADMIN_TOKEN;
  await mode?.stop();
  client?.disconnect();
  await redis?.stop();
});

describe("the order archive", () => {
  it("restores every figure to the cent after Redis is flushed, and a second rebuild changes nothing", async () => {
    for (let start = 0; start < ORDERS; start += PER_REQUEST) {
      const { response } = await apiClient(mode.apiUrl).POST("/orders", {
        body: { orders: orders.slice(start, start + PER_REQUEST).map((g) => g.order) },
      });
      expect(response.status).toBe(202);
    }
    await vi.waitFor(
      async () => {
        const global = await getJson("/stats/global");
        expect(global.total_orders + global.failed_orders).toBe(ORDERS);
        const depths = await getJson("/stats/queues");
        expect(depths.queue.messages + depths.queue.in_flight).toBe(0);
      },
      { timeout: 120_000, interval: 500 },
    );
    const before = await allFigures();
    expect(before.global.total_orders).toBeGreaterThan(ORDERS * 0.7);

    // Every delivery came twice: the archive holds each message at least once (some twice).
    const bucket = [...mode.buckets.values()][0] as string;
    const s3 = localS3Client(mode.sqsEndpoint);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "archive/" }));
    expect(listed.KeyCount).toBeGreaterThan(0);
    s3.destroy();

    expect(await client.flushall()).toBe("OK");
    expect((await getJson("/stats/global")).total_orders).toBe(0);

    const first = await rebuild();
    expect(first.orders_read).toBeGreaterThanOrEqual(ORDERS);
    expect(first.judged_differently).toBe(0);
    // Every object the consumer wrote authenticates (the key from local mode's Secrets Manager),
    // and every line agrees with its object.
    expect(first).toMatchObject({ objects_skipped: 0, objects_unauthenticated: 0, lines_skipped: 0 });
    console.log(
      `rebuild: ${first.orders_read} archived messages in ${first.objects_read} objects, ${first.orders_per_second} orders/s, ${first.invocations} invocation(s)`,
    );
    expect(await allFigures()).toEqual(before);

    await rebuild();
    expect(await allFigures()).toEqual(before);
  }, 300_000);
});
