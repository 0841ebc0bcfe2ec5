import { ReceiveMessageCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { storeKeys } from "../../lambdas/adapters/redis-keys";
import { createRedisStore } from "../../lambdas/adapters/redis-store";
import { sendMessages } from "../../lambdas/adapters/sqs-sender";
import { MAX_COUNTER } from "../../lambdas/core/analytics-store";
import { createOrderGenerator, type GeneratedOrder, seededRandom } from "../../lambdas/core/generator";
import { DEFAULT_JUDGING_RULES } from "../../lambdas/core/rules";
import type { RedisClient } from "../../lambdas/shared/clients";
import { BatchFailedError, type ConsumerDeps, processBatch } from "../../lambdas/sqs/process-batch";
import { createRetryDelayer } from "../../lambdas/sqs/redelivery";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "../../local/embedded-aws";
import { toSqsRecord } from "../../local/event-source";
import { expectedFigures } from "../support/expected";
import { orderMessage, sqsRecord, sqsRecords } from "../support/factories";
import { silentLogger } from "../support/fakes";
import { proxiedRedis } from "../support/proxied-redis";
import { connectRedis, deleteKeys, uniquePrefix } from "../support/redis";
import { drainQueue, type EmbeddedSqs, startEmbeddedSqs } from "../support/sqs";

const prefix = uniquePrefix("consumer");
let redis: RedisClient;
let sqs: EmbeddedSqs;
let dlqUrl: string;
let deps: ConsumerDeps;

beforeAll(async () => {
  redis = connectRedis();
  sqs = await startEmbeddedSqs();
  dlqUrl = await sqs.createQueueUrl("orders-dlq");
  deps = depsFor(redis);
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await sqs.stop();
});
beforeEach(async () => {
  await deleteKeys(redis, prefix);
  await drainQueue(sqs.client, dlqUrl);
});

function depsFor(client: RedisClient, chunkSize?: number): ConsumerDeps {
  return {
    store: createRedisStore(client, { prefix, markerTtlSeconds: 3600, logMaxLength: 1000, chunkSize }),
    sendToDlq: (messages) => sendMessages(sqs.client, dlqUrl, messages),
    logger: silentLogger,
  };
}

/**
 * The Redis client, except that each script call (one chunk of entries) that carries one of
 * `messageIds` fails as a lost connection does, before Redis sees it: an outage that cuts off
 * exactly those chunks, the same on every run.
 */
function scriptCallsFailingFor(client: RedisClient, messageIds: ReadonlySet<string>): RedisClient {
  const cutOff = (args: unknown[]) =>
    args.some((arg) => typeof arg === "string" && [...messageIds].some((id) => arg.includes(id)));
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      // The record script runs as the client's custom command (defineCommand in generation-store.ts).
      if (property === "recordEntries" && typeof value === "function") {
        return (...args: unknown[]) =>
          cutOff(args) ? Promise.reject(new Error("Connection is closed.")) : value.apply(target, args);
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function generate(count: number, seed: number): GeneratedOrder[] {
  const next = createOrderGenerator({ random: seededRandom(seed) });
  return Array.from({ length: count }, next);
}

async function assertFigures(orders: readonly GeneratedOrder[], malformed = 0) {
  const expected = expectedFigures(orders, malformed);
  const store = deps.store;
  expect(await store.globalStats()).toEqual({
    totalOrders: expected.totalOrders,
    revenueCents: expected.revenueCents,
    failedOrders: expected.failedOrders,
    duplicates: 0,
    correctedOrders: 0,
    failedByReason: expected.failedByReason,
  });
  for (const [userId, user] of expected.users) expect(await store.userStats(userId)).toEqual(user);
}

describe("consumer", () => {
  it("rejects a value mismatch by default, and with valueMismatch=correct counts it valid at the line total", async () => {
    // 3 x 411.50 = 1234.50 in items; the order says 1300.
    const mismatch = (id: string) => orderMessage({ order_id: id, user_id: "U1003", order_value: 1300 });

    await processBatch(sqsRecords(mismatch("ORD-MISMATCH-1")), deps);
    expect(await deps.store.globalStats()).toMatchObject({
      totalOrders: 0,
      failedOrders: 1,
      correctedOrders: 0,
      failedByReason: { value_mismatch: 1 },
    });

    await processBatch(sqsRecords(mismatch("ORD-MISMATCH-2")), {
      ...deps,
      rules: { ...DEFAULT_JUDGING_RULES, valueMismatch: "correct" },
    });
    expect(await deps.store.globalStats()).toMatchObject({
      totalOrders: 1,
      revenueCents: 123450,
      failedOrders: 1,
      correctedOrders: 1,
    });
    expect(await deps.store.userStats("U1003")).toEqual({
      orderCount: 1,
      spendCents: 123450,
      failedOrderCount: 1,
    });
    expect(await deps.store.monthStats("2026-11", 10)).toMatchObject({
      correctedOrders: 1,
      revenueCents: 123450,
    });
    const [latest] = await deps.store.latestLogs(1);
    expect(latest).toMatchObject({
      outcome: "valid",
      details: { order_id: "ORD-MISMATCH-2", order_value: 1300, computed_value: 1234.5, corrected: true },
    });
  });

  it("sends malformed messages to the DLQ with their reason and acknowledges them", async () => {
    const [order] = generate(1, 1);
    const records = sqsRecords("not json {", { order_id: "ORD1" }, [1, 2, 3], order?.order ?? {});

    const response = await processBatch(records, deps);

    expect(response.batchItemFailures).toEqual([]);
    const deadLetters = await drainQueue(sqs.client, dlqUrl);
    expect(deadLetters).toHaveLength(3);
    const byBody = new Map(deadLetters.map((m) => [m.Body, m.MessageAttributes ?? {}]));
    expect(byBody.get("not json {")?.reason?.StringValue).toBe("malformed");
    expect(byBody.get("not json {")?.details?.StringValue).toBe("body: not valid JSON");
    expect(byBody.get('{"order_id":"ORD1"}')?.details?.StringValue).toContain("user_id:");
    expect(byBody.get("[1,2,3]")?.source_message_id?.StringValue).toBe(records[2]?.messageId);
    expect((await deps.store.globalStats()).failedByReason.malformed).toBe(3);
  });

  it("sends a malformed message to the DLQ again when it is redelivered, counting it once", async () => {
    const record = sqsRecord("garbage");
    await processBatch([record], deps);
    await processBatch([record], deps);

    expect(await drainQueue(sqs.client, dlqUrl)).toHaveLength(2);
    expect((await deps.store.globalStats()).failedOrders).toBe(1);
  });

  it("reports malformed messages for retry when the DLQ cannot take them", async () => {
    const brokenDlq = {
      ...deps,
      sendToDlq: (messages: readonly { id: string }[]) =>
        Promise.resolve({ sent: new Map(), failed: messages.map((m) => m.id), lastError: new Error("down") }),
    };
    const [order] = generate(1, 3);
    const records = sqsRecords("garbage", order?.order ?? {});

    const response = await processBatch(records, brokenDlq);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[0]?.messageId }]);
  });

  it("records a generated batch with exactly the expected figures, and nothing more on redelivery", async () => {
    const orders = generate(500, 7);
    const records = sqsRecords(...orders.map((g) => g.order));

    expect((await processBatch(records, deps)).batchItemFailures).toEqual([]);
    expect((await processBatch(records, deps)).batchItemFailures).toEqual([]);

    await assertFigures(orders);
  });

  it("reports the messages a Redis outage cut off, and ends exact once they are redelivered", async () => {
    const orders = generate(1000, 11);
    const malformed = sqsRecords("oops", "{}", "[]");
    const records = [...sqsRecords(...orders.map((g) => g.order)), ...malformed];
    // Redis goes away after the first 10 chunks of 50: every record from the 501st on is cut off.
    const cutOff = new Set(records.slice(500).map((record) => record.messageId));
    const outage = scriptCallsFailingFor(redis, cutOff);

    const first = await processBatch(records, depsFor(outage, 50));

    expect(new Set(first.batchItemFailures.map((f) => f.itemIdentifier))).toEqual(cutOff);
    const redelivered: SQSRecord[] = records.filter((record) => cutOff.has(record.messageId));
    const second = await processBatch(redelivered, deps);
    expect(second.batchItemFailures).toEqual([]);

    await assertFigures(orders, malformed.length);
    expect(await drainQueue(sqs.client, dlqUrl)).toHaveLength(3);
  });

  it("throws when no record of the batch could be stored, so Lambda backs off", async () => {
    const proxy = await proxiedRedis();
    try {
      await proxy.client.ping();
      proxy.cutNow();
      const records = sqsRecords(...generate(20, 5).map((g) => g.order));

      await expect(processBatch(records, depsFor(proxy.client))).rejects.toBeInstanceOf(BatchFailedError);
      expect((await deps.store.globalStats()).totalOrders).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});

describe("per-message backoff", () => {
  /** Receives every visible message of a queue as the event source would hand it to the consumer. */
  async function receiveRecords(queueUrl: string): Promise<SQSRecord[]> {
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ["All"],
        WaitTimeSeconds: 0,
      }),
    );
    return Messages.map((m) =>
      toSqsRecord(m, `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:backoff`, LOCAL_REGION),
    );
  }

  async function sendOrders(queueUrl: string, ids: string[]) {
    await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: ids.map((id) => ({ Id: id, MessageBody: JSON.stringify(orderMessage({ order_id: id })) })),
      }),
    );
  }

  it("brings records it could not store back after their backoff, not the queue's visibility timeout", async () => {
    const queueUrl = await sqs.createQueueUrl("backoff", { VisibilityTimeout: "60" });
    await sendOrders(queueUrl, ["ORD-B-1", "ORD-B-2", "ORD-B-3"]);
    const records = await receiveRecords(queueUrl);
    expect(records).toHaveLength(3);
    const proxy = await proxiedRedis();
    try {
      proxy.cutNow();
      const delayRetries = createRetryDelayer(sqs.client, queueUrl, { baseSeconds: 1, maxSeconds: 1 });

      await expect(processBatch(records, { ...depsFor(proxy.client), delayRetries })).rejects.toBeInstanceOf(
        BatchFailedError,
      );

      expect(await receiveRecords(queueUrl)).toEqual([]); // invisible for their 1 s backoff...
      const again = await vi.waitFor(
        async () => {
          const back = await receiveRecords(queueUrl);
          expect(back).toHaveLength(3); // ...then back, 59 s before the visibility timeout would end
          return back;
        },
        { timeout: 5_000, interval: 250 },
      );
      expect(again.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(["2", "2", "2"]);
      expect((await processBatch(again, deps)).batchItemFailures).toEqual([]);
      expect((await deps.store.globalStats()).totalOrders).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it("loses nothing when the delays cannot be set: the records are still retried, and count once", async () => {
    const queueUrl = await sqs.createQueueUrl("backoff-broken", { VisibilityTimeout: "2" });
    await sendOrders(queueUrl, ["ORD-C-1", "ORD-C-2"]);
    const records = await receiveRecords(queueUrl);
    const proxy = await proxiedRedis();
    try {
      proxy.cutNow();
      const brokenDelays = () => Promise.reject(new Error("ChangeMessageVisibilityBatch refused"));
      await expect(
        processBatch(records, { ...depsFor(proxy.client), delayRetries: brokenDelays }),
      ).rejects.toBeInstanceOf(BatchFailedError);
    } finally {
      await proxy.close();
    }
    // Back after the queue's own visibility timeout, and counted exactly once.
    const again = await vi.waitFor(
      async () => {
        const back = await receiveRecords(queueUrl);
        expect(back).toHaveLength(2);
        return back;
      },
      { timeout: 10_000, interval: 250 },
    );
    expect((await processBatch(again, deps)).batchItemFailures).toEqual([]);
    expect((await processBatch(again, deps)).batchItemFailures).toEqual([]); // a redelivery changes nothing
    expect((await deps.store.globalStats()).totalOrders).toBe(2);
  });
});

describe("an order the store cannot count", () => {
  it("is not counted, and goes to the DLQ with reason out_of_range", async () => {
    await redis.hset(storeKeys(prefix).user("U1003"), "spend_cents", String(MAX_COUNTER));
    const records = sqsRecords(orderMessage({ order_id: "ORD-TOO-MUCH" }));

    const response = await processBatch(records, deps);

    expect(response.batchItemFailures).toEqual([]);
    const [deadLetter] = await drainQueue(sqs.client, dlqUrl);
    expect(deadLetter?.MessageAttributes?.reason?.StringValue).toBe("out_of_range");
    expect(deadLetter?.Body).toContain("ORD-TOO-MUCH");
    expect((await deps.store.globalStats()).totalOrders).toBe(0);
  });
});
