import { join } from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OrderMessage } from "../../lambdas/core/order";
import { type LocalMode, startLocalMode } from "../../local/local-mode";
import { localSqsClient } from "../../local/sqs";
import { PROJECT_ROOT } from "../../local/synth";
import {
  type ExpectedFigures,
  expectedFigures,
  expectedGlobalStats,
  expectedUserStats,
} from "../support/expected";
import { judged } from "../support/oracle";
import { deleteStoreKeys, redisMode, redisUrl, uniquePrefix } from "../support/redis";
import { drainQueue } from "../support/sqs";

/** npm start's stack on free ports: orders over real HTTP, consumed by the real event source mapping. */

const prefix = uniquePrefix("e2e");
let mode: LocalMode;
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
  mode = await startLocalMode({
    port: 0,
    redisUrl: redisUrl(),
    redisMode: redisMode(),
    context: { keyPrefix: prefix },
    outdir: join(PROJECT_ROOT, "cdk.out.test", "e2e"),
    onLog: (source, line) => functionLines.push({ source, line }),
  });
  for (const count of [200, 100]) {
    const response = await api("POST", "/produce", { count, full_orders: true, spread_days: 60 });
    if (response.status !== 200) throw new Error(`setup: POST /produce answered ${response.status}`);
    produced.push(...response.json.orders);
  }
  expected = expectedFigures(judged(produced));
  // The consumer counts every produced order.
  await vi.waitFor(
    async () => {
      const { json } = await api("GET", "/stats/global");
      const counted = json.total_orders + json.failed_orders;
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
    const { json } = await api("GET", "/stats/global");
    expect(json).toEqual(expectedGlobalStats(expected));
  });

  it("answers every stats endpoint consistently", async () => {
    for (const [userId, user] of expected.users) {
      const { json } = await api("GET", `/users/${userId}/stats`);
      expect(json).toEqual(expectedUserStats(userId, user));
    }
    const rankings = await api("GET", "/users?limit=3");
    expect(rankings.json.total_spend_ranking).toHaveLength(3);
    const months = await api("GET", "/stats/months");
    expect(months.json.months).toEqual([...expected.months.keys()].sort());
    for (const [month, figures] of expected.months) {
      const { json } = await api("GET", `/stats/monthly/${month}`);
      expect(json).toMatchObject({
        month,
        total_orders: figures.totalOrders,
        total_revenue: figures.revenueCents / 100,
      });
    }
    const logs = await api("GET", "/consumer_logs?limit=1000");
    expect(logs.json.total_logs).toBe(produced.length);
    const health = await api("GET", "/health");
    expect(health.json).toMatchObject({ status: "ok", checks: { redis: { ok: true }, queue: { ok: true } } });
  });

  it("serves the docs, the OpenAPI document and Swagger UI's assets", async () => {
    const docs = await api("GET", "/docs");
    expect(docs.headers.get("content-type")).toContain("text/html");
    expect(docs.text).toContain('url: "openapi.json"');
    const script = await api("GET", "/static/swagger-ui-bundle.js");
    expect(script.status).toBe(200);
    expect(script.text.length).toBeGreaterThan(100_000);
    const openapi = await api("GET", "/openapi.json");
    expect(openapi.json.openapi).toBe("3.1.0");
  });

  it("answers like API Gateway: 403 for no route, JSON 4xx from the function for bad input", async () => {
    expect((await api("GET", "/no/such/route")).json).toEqual({ message: "Missing Authentication Token" });
    const bad = await api("GET", "/users?limit=0");
    expect(bad.status).toBe(400);
    expect(bad.json.details[0]).toContain("query.limit");
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
});
