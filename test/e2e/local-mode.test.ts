import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OrderMessage } from "../../lambdas/core/order";
import { type ApiClient, apiClient } from "../../lambdas/http/client/api-client";
import { localSqsClient } from "../../local/embedded-aws";
import type { LocalMode } from "../../local/local-mode";
import {
  type ExpectedFigures,
  expectedFigures,
  expectedGlobalStats,
  expectedUserStats,
} from "../support/expected";
import { startSuiteLocalMode } from "../support/local-mode";
import { judged } from "../support/oracle";
import { deleteStoreKeys, uniquePrefix } from "../support/redis";
import { drainQueue } from "../support/sqs";

/** npm start's stack on free ports: orders over real HTTP, consumed by the real event source mapping. */

const prefix = uniquePrefix("e2e");
let mode: LocalMode;
/** The API's typed client (lambdas/http/client): the answers' types come from the OpenAPI document. */
let client: ApiClient;
let expected: ExpectedFigures;
const produced: OrderMessage[] = [];
const functionLines: { source: string; line: string }[] = [];

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${mode.apiUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text.startsWith("{") ? JSON.parse(text) : undefined,
  };
}

beforeAll(async () => {
  mode = await startSuiteLocalMode("e2e", prefix, {
    onLog: (source, line) => functionLines.push({ source, line }),
  });
  client = apiClient(mode.apiUrl);
  for (const count of [200, 100]) {
    const { data, response } = await client.POST("/produce", {
      body: { count, full_orders: true, spread_days: 60 },
    });
    if (!data) throw new Error(`setup: POST /produce answered ${response.status}`);
    // full_orders: every field of each order message is there.
    produced.push(...(data.orders as OrderMessage[]));
  }
  expected = expectedFigures(judged(produced));
  // The consumer counts every produced order.
  await vi.waitFor(
    async () => {
      const { data: stats } = await client.GET("/stats/global");
      const counted = (stats?.total_orders ?? 0) + (stats?.failed_orders ?? 0);
      if (counted !== produced.length)
        throw new Error(`the consumer has counted ${counted} of ${produced.length}`);
    },
    { timeout: 60_000, interval: 250 },
  );
}, 120_000);

afterAll(async () => {
  await mode?.stop();
  await deleteStoreKeys(prefix);
});

describe("local mode, end to end", () => {
  it("counts every produced order once, revenue exact to the cent", async () => {
    const { data } = await client.GET("/stats/global");
    expect(data).toEqual(expectedGlobalStats(expected));
  });

  it("answers every stats endpoint consistently", async () => {
    for (const [userId, user] of expected.users) {
      const { data } = await client.GET("/users/{user_id}/stats", { params: { path: { user_id: userId } } });
      expect(data).toEqual(expectedUserStats(userId, user));
    }
    const rankings = await client.GET("/users", { params: { query: { limit: 3 } } });
    expect(rankings.data?.total_spend_ranking).toHaveLength(3);
    const months = await client.GET("/stats/months");
    expect(months.data?.months).toEqual([...expected.months.keys()].sort());
    for (const [month, figures] of expected.months) {
      const { data } = await client.GET("/stats/monthly/{month}", { params: { path: { month } } });
      expect(data).toMatchObject({
        month,
        total_orders: figures.totalOrders,
        total_revenue: figures.revenueCents / 100,
      });
    }
    const logs = await client.GET("/consumer_logs", { params: { query: { limit: 1000 } } });
    expect(logs.data?.total_logs).toBe(produced.length);
    const health = await client.GET("/health");
    expect(health.data).toMatchObject({ status: "ok", checks: { redis: { ok: true }, queue: { ok: true } } });
  });

  it("serves the docs, the OpenAPI document and Swagger UI's assets", async () => {
    const docs = await api("GET", "/docs");
    expect(docs.headers.get("content-type")).toContain("text/html");
    expect(docs.text).toContain('url: "openapi.json"');
    const script = await api("GET", "/static/swagger-ui-bundle.js");
    expect(script.status).toBe(200);
    expect(script.text.length).toBeGreaterThan(100_000);
    const openapi = await client.GET("/openapi.json");
    expect((openapi.data as { openapi: string }).openapi).toBe("3.1.0");
  });

  it("answers like API Gateway: 403 for no route, JSON 4xx from the function for bad input", async () => {
    expect((await api("GET", "/no/such/route")).json).toEqual({ message: "Missing Authentication Token" });
    const bad = await client.GET("/users", { params: { query: { limit: 0 } } });
    expect(bad.response.status).toBe(400);
    expect(bad.error && "details" in bad.error ? bad.error.details[0] : undefined).toContain("query.limit");
  });

  it("dead-letters a malformed message sent straight to the queue, with its reason", async () => {
    const queue = [...mode.queues.values()].find((q) => q.model.redrive);
    const dlq = [...mode.queues.values()].find((q) => !q.model.redrive);
    if (!queue || !dlq) throw new Error("queues missing");
    const client = localSqsClient(mode.sqsEndpoint);
    await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "{not json" }));
    const deadLetters: Awaited<ReturnType<typeof drainQueue>> = [];
    await vi.waitFor(
      async () => {
        deadLetters.push(...(await drainQueue(client, dlq.url)));
        expect(deadLetters.length).toBeGreaterThan(0);
      },
      { timeout: 60_000, interval: 250 },
    );
    expect(deadLetters[0]?.Body).toBe("{not json");
    expect(deadLetters[0]?.MessageAttributes?.reason?.StringValue).toBe("malformed");
    client.destroy();
  });

  it("ends every invocation with a REPORT in Lambda's JSON log format, under the API request's id", async () => {
    const response = await api("GET", "/stats/global");
    const requestId = response.headers.get("x-amzn-requestid");
    const reports = () =>
      functionLines
        .filter(({ line }) => line.includes('"platform.report"'))
        .map(({ source, line }) => ({ source, ...JSON.parse(line) }));
    await vi.waitFor(() => expect(reports().map((r) => r.record.requestId)).toContain(requestId));
    const report = reports().find((r) => r.record.requestId === requestId);
    expect(report).toMatchObject({
      source: "StatsFunction",
      type: "platform.report",
      record: { status: "success", metrics: { memorySizeMB: 512 } },
    });
    expect(report.record.metrics.durationMs).toBeGreaterThan(0);
    expect(report.record.metrics.billedDurationMs).toBeGreaterThanOrEqual(1);
    expect(report.record.metrics.maxMemoryUsedMB).toBeGreaterThan(0);
    // The consumer's invocations, started by the event source, report too; each environment's
    // first one with its init duration.
    const consumer = reports().filter((r) => r.source === "Consumer");
    expect(consumer.length).toBeGreaterThan(0);
    expect(consumer.some((r) => r.record.metrics.initDurationMs > 0)).toBe(true);
  });

  // Last: it swaps the runtime the tests above used.
  it("reloads (npm run dev): new environments for every function, the same queues, Redis and figures", async () => {
    const before = new Map(mode.functions);
    const synth = await mode.reload();
    expect(mode.synth).toBe(synth);
    expect([...mode.functions.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [id, fn] of mode.functions) expect(fn, id).not.toBe(before.get(id));
    const { data: stats } = await client.GET("/stats/global");
    expect(stats?.total_orders).toBe(expected.totalOrders);
  });
});
