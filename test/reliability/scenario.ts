import { GetQueueAttributesCommand, SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { expect } from "vitest";
import type { ReliabilityResults } from "../../bench/tables";
import { createOrderGenerator, type GeneratedOrder, seededRandom } from "../../lambdas/core/generator";
import type { OrderMessage } from "../../lambdas/core/order";
import { localSqsClient } from "../../local/embedded-aws";
import { type Faults, NO_FAULTS } from "../../local/faults";
import { expectedFigures, expectedGlobalStats, expectedUserStats } from "../support/expected";
import { orderMessage } from "../support/factories";
import { startSuiteLocalMode } from "../support/local-mode";
import { rebuildThroughApi } from "../support/rebuild";
import { connectRedis, deleteKeys } from "../support/redis";
import { drainQueue } from "../support/sqs";

/**
 * One reliability scenario: local mode with a fault switched on, orders sent through the API (and
 * malformed bodies straight to the queue), a reader hitting the API throughout, then every figure
 * checked against what was sent.
 */

/** One scenario's figures, as test-results/reliability.json holds them (bench/tables.ts renders them). */
export type ScenarioReport = ReliabilityResults["reports"][number];

const ORDERS_PER_REQUEST = 100;

// biome-ignore lint/suspicious/noExplicitAny: response bodies, compared field by field with the expected figures
type Json = Record<string, any>;

export async function runScenario(options: {
  name: string;
  faults: Partial<Faults>;
  orders: number;
  malformedEvery: number;
}): Promise<ScenarioReport> {
  const prefix = `reliability:${options.name}:`;
  const cleaner = connectRedis();
  await deleteKeys(cleaner, prefix);
  const mode = await startSuiteLocalMode("reliability", "reliability:", {
    // A short consumer timeout keeps the visibility timeout (6x) short, so crashed batches come back soon.
    context: { consumerTimeoutSeconds: "2", logLevel: "ERROR" },
    faults: { ...NO_FAULTS, ...options.faults },
  });
  const sqs = localSqsClient(mode.sqsEndpoint);
  try {
    const queue = [...mode.queues.values()].find((q) => q.model.redrive);
    const dlq = [...mode.queues.values()].find((q) => !q.model.redrive);
    if (!queue || !dlq) throw new Error("the template has no queue with a DLQ");
    // The stack's prefix is fixed at synth (cached across scenarios); each scenario starts clean.
    await deleteKeys(cleaner, "reliability:");

    const say = (line: string) => process.stderr.write(`[${options.name}] ${line}\n`);
    say(`local mode up at ${mode.apiUrl}; sending ${options.orders} orders`);
    const reader = startReader(mode.apiUrl);
    const started = performance.now();
    const generate = createOrderGenerator({ random: seededRandom(options.orders + options.name.length) });
    const orders: GeneratedOrder[] = Array.from({ length: options.orders }, generate);
    const malformed = malformedBodies(Math.floor(options.orders / options.malformedEvery));
    await Promise.all([
      sendThroughApi(
        mode.apiUrl,
        orders.map((o) => o.order),
      ),
      sendToQueue(sqs, queue.url, malformed),
    ]);
    const total = orders.length + malformed.length;
    say(`sent ${total} messages in ${((performance.now() - started) / 1000).toFixed(1)} s; draining`);
    await waitUntil(
      async () => (await consumed(mode.apiUrl)) >= total && (await inFlight(sqs, queue.url)) === 0,
      async () =>
        `consumed ${await consumed(mode.apiUrl)} of ${total}, ${await inFlight(sqs, queue.url)} in flight`,
    );
    const drainSeconds = (performance.now() - started) / 1000;
    const readerResult = await reader.stop();
    say(`drained in ${drainSeconds.toFixed(1)} s; checking figures`);

    await assertFigures(mode.apiUrl, orders, malformed.length);
    const deadLetters = await drainQueue(sqs, dlq.url);
    const deadBodies = new Set(deadLetters.map((m) => m.Body));
    expect(deadBodies).toEqual(new Set(malformed)); // every malformed body, nothing else (copies allowed)
    for (const letter of deadLetters) expect(letter.MessageAttributes?.reason?.StringValue).toBe("malformed");
    expect(await inFlight(sqs, queue.url)).toBe(0);
    expect(readerResult.failures).toEqual([]);

    // The archive is exact too: with this store's keys gone, a rebuild brings every figure back.
    say("deleting the figures and rebuilding them from the archive");
    await deleteKeys(cleaner, "reliability:");
    const adminToken = mode.secrets.find((secret) => secret.name === "AdminToken")?.value ?? "";
    const rebuilt = await rebuildThroughApi(mode.apiUrl, adminToken);
    expect(rebuilt.judged_differently).toBe(0);
    await assertFigures(mode.apiUrl, orders, malformed.length);
    return {
      fault: options.name,
      orders: orders.length,
      malformed: malformed.length,
      deadLetters: deadLetters.length,
      readerRequests: readerResult.requests,
      reader5xx: readerResult.failures.length,
      drainSeconds: Math.round(drainSeconds * 10) / 10,
      archivedMessages: rebuilt.orders_read,
      rebuildOrdersPerSecond: rebuilt.orders_per_second,
    };
  } finally {
    sqs.destroy();
    await mode.stop();
    await deleteKeys(cleaner, "reliability:");
    cleaner.disconnect();
  }
}

/** Every figure the API shows, checked against what was sent (computed independently). */
async function assertFigures(apiUrl: string, orders: readonly GeneratedOrder[], malformedCount: number) {
  const expected = expectedFigures(orders, malformedCount);
  const get = async (path: string) => (await fetch(`${apiUrl}${path}`)).json() as Promise<Json>;
  const global = await get("/stats/global");
  expect(global).toEqual(expectedGlobalStats(expected));
  let userOrders = 0;
  let userSpendCents = 0;
  for (const [userId, user] of expected.users) {
    const stats = await get(`/users/${userId}/stats`);
    expect(stats).toEqual(expectedUserStats(userId, user));
    userOrders += stats.order_count;
    userSpendCents += Math.round(stats.total_spend * 100);
  }
  expect({ userOrders, userSpendCents }).toEqual({
    userOrders: expected.totalOrders,
    userSpendCents: expected.revenueCents,
  });
  let monthOrders = 0;
  let monthRevenueCents = 0;
  for (const month of (await get("/stats/months")).months as string[]) {
    const stats = await get(`/stats/monthly/${month}`);
    expect(stats).toMatchObject({
      total_orders: expected.months.get(month)?.totalOrders,
      failed_orders: expected.months.get(month)?.failedOrders,
    });
    monthOrders += stats.total_orders;
    monthRevenueCents += Math.round(stats.total_revenue * 100);
  }
  expect({ monthOrders, monthRevenueCents }).toEqual({
    monthOrders: expected.totalOrders,
    monthRevenueCents: expected.revenueCents,
  });
}

/** POST /orders, 100 at a time; orders a 503 names as not queued are sent again, as a client would. */
async function sendThroughApi(apiUrl: string, orders: readonly OrderMessage[]) {
  const batches: OrderMessage[][] = [];
  for (let i = 0; i < orders.length; i += ORDERS_PER_REQUEST)
    batches.push(orders.slice(i, i + ORDERS_PER_REQUEST));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let batch = batches[next++] as OrderMessage[];
      for (let attempt = 0; batch.length > 0; attempt++) {
        if (attempt > 10) throw new Error("POST /orders kept failing");
        const response = await fetch(`${apiUrl}/orders`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ orders: batch }),
        });
        const body = (await response.json()) as { not_queued?: string[] };
        if (response.status === 202) break;
        expect(response.status).toBe(503);
        const notQueued = new Set(body.not_queued);
        batch = batch.filter((order) => notQueued.has(order.order_id));
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
}

async function sendToQueue(sqs: SQSClient, queueUrl: string, bodies: readonly string[]) {
  for (let i = 0; i < bodies.length; i += 10) {
    const group = bodies.slice(i, i + 10);
    // Each alone: SendMessageBatch caps the whole call at 1 MiB, and some of these are huge.
    for (const [index, body] of group.entries()) {
      const { Failed = [] } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [{ Id: String(index), MessageBody: body }],
        }),
      );
      expect(Failed).toEqual([]);
    }
  }
}

/** Hostile bodies, each unique: not JSON, deeply nested, huge, wrong types, unicode, odd JSON. */
export function malformedBodies(count: number): string[] {
  const valid = orderMessage();
  const kinds = [
    (i: number) => `not json ${i} {`,
    (i: number) => `{"i":${i},"x":${"[".repeat(3000)}${"]".repeat(3000)}}`,
    (i: number) => JSON.stringify({ i, pad: "x".repeat(200_000) }),
    (i: number) => JSON.stringify({ ...valid, order_id: `ORDW${i}`, order_value: "10.00" }),
    (i: number) =>
      JSON.stringify({
        ...valid,
        order_id: `ORDU${i}`,
        order_timestamp: "٢٠٢٦-١١-٢٤T10:15:00Z",
        shipping_address: "Straße 東京 ١٢",
      }),
    (i: number) => JSON.stringify([i, "ORD"]),
    (i: number) => JSON.stringify({ ...valid, order_id: `ORDD${i}`, order_value: 10.001 }),
    (i: number) => `${i}`,
  ];
  return Array.from({ length: count }, (_, i) => (kinds[i % kinds.length] as (i: number) => string)(i));
}

async function consumed(apiUrl: string): Promise<number> {
  const response = await fetch(`${apiUrl}/stats/global`);
  if (!response.ok) return -1;
  const stats = (await response.json()) as {
    total_orders: number;
    failed_orders: number;
    duplicates: number;
  };
  return stats.total_orders + stats.failed_orders + stats.duplicates;
}

async function inFlight(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Waits for `check`; fails when the pipeline has made no progress for a minute. */
async function waitUntil(check: () => Promise<boolean>, describe: () => Promise<string>) {
  let last = "";
  let lastChange = Date.now();
  while (!(await check())) {
    const now = await describe();
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange > 60_000) throw new Error(`no progress for a minute: ${now}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Reads the API in a loop; any 5xx (or failed request) is a failure. */
function startReader(apiUrl: string) {
  const paths = ["/stats/global", "/users?limit=5", "/stats/months", "/consumer_logs?limit=10"];
  const failures: string[] = [];
  let requests = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const path = paths[requests % paths.length] as string;
      requests++;
      try {
        const response = await fetch(`${apiUrl}${path}`);
        await response.arrayBuffer();
        if (response.status >= 500) failures.push(`${path}: ${response.status}`);
      } catch (error) {
        failures.push(`${path}: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { requests, failures };
    },
  };
}
