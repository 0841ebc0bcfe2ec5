import { fileURLToPath } from "node:url";
import { GetQueueAttributesCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type EmbeddedAws, LOCAL_REGION, startEmbeddedAws } from "../../local/embedded-aws";
import { SqsPoller } from "../../local/event-source";
import { LocalFunction } from "../../local/lambda-runtime";
import type { MappingModel, QueueModel } from "../../local/template";
import { drainQueue } from "../support/sqs";

/**
 * The local event source mapping against the embedded SQS server, with a function that answers
 * every kind of partial batch response: which messages are deleted, redelivered, dead-lettered.
 */

let sqs: EmbeddedAws;
let run = 0;
beforeAll(async () => {
  sqs = await startEmbeddedAws();
});
afterAll(() => sqs.stop());

type Respond = (event: SQSEvent, delivery: number) => unknown;

/** Sends four messages, runs one poller with `respond` until the queue is empty, and reports. */
async function runScenario(respond: Respond, options: { maxReceiveCount?: number; report?: boolean } = {}) {
  run++;
  const models: QueueModel[] = [
    { logicalId: `Dlq${run}`, name: `dlq-${run}`, visibilityTimeoutSeconds: 30, retentionSeconds: 3600 },
    {
      logicalId: `Queue${run}`,
      name: `queue-${run}`,
      visibilityTimeoutSeconds: 2,
      retentionSeconds: 3600,
      redrive: { deadLetterLogicalId: `Dlq${run}`, maxReceiveCount: options.maxReceiveCount ?? 5 },
    },
  ];
  const queues = await sqs.ensureQueues(models, "Test");
  const queue = queues.get(`Queue${run}`);
  const dlq = queues.get(`Dlq${run}`);
  if (!queue || !dlq) throw new Error("queues not created");
  await sqs.client.send(
    new SendMessageBatchCommand({
      QueueUrl: queue.url,
      Entries: ["a", "b", "c", "d"].map((body) => ({ Id: body, MessageBody: body })),
    }),
  );
  const deliveries = new Map<string, number>();
  let invocations = 0;
  const mapping: MappingModel = {
    functionLogicalId: "Fn",
    queueLogicalId: queue.model.logicalId,
    batchSize: 10,
    batchingWindowSeconds: 0,
    maxConcurrency: 1,
    reportBatchItemFailures: options.report ?? true,
    enabled: true,
  };
  const poller = new SqsPoller({
    sqs: sqs.client,
    queue,
    mapping,
    region: LOCAL_REGION,
    invoke: async (event) => {
      invocations++;
      for (const record of event.Records) deliveries.set(record.body, (deliveries.get(record.body) ?? 0) + 1);
      return respond(event, invocations);
    },
  });
  poller.start();
  // Until every message is settled (deleted or dead-lettered); failing, not falling through, at 20 s.
  await vi.waitFor(
    async () => {
      const { Attributes = {} } = await sqs.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queue.url,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      expect([
        Attributes.ApproximateNumberOfMessages,
        Attributes.ApproximateNumberOfMessagesNotVisible,
      ]).toEqual(["0", "0"]);
    },
    { timeout: 20_000, interval: 200 },
  );
  await poller.stop();
  const deadLetters = (await drainQueue(sqs.client, dlq.url)).map((m) => m.Body).sort();
  return { deliveries: Object.fromEntries([...deliveries].sort()), deadLetters, stats: poller.stats };
}

const idOf = (event: SQSEvent, body: string) => event.Records.find((r) => r.body === body)?.messageId ?? "";
/** First delivery answers `first`; every later one succeeds. */
const onFirst =
  (first: (event: SQSEvent) => unknown): Respond =>
  (event, delivery) =>
    delivery === 1 ? first(event) : { batchItemFailures: [] };

describe("local SQS event source mapping", () => {
  it("deletes the whole batch on an empty failure list", async () => {
    const result = await runScenario(() => ({ batchItemFailures: [] }));
    expect(result.deliveries).toEqual({ a: 1, b: 1, c: 1, d: 1 });
    expect(result.deadLetters).toEqual([]);
  });

  it("redelivers only the reported messages", async () => {
    const result = await runScenario(
      onFirst((event) => ({
        batchItemFailures: [{ itemIdentifier: idOf(event, "b") }, { itemIdentifier: idOf(event, "d") }],
      })),
    );
    expect(result.deliveries).toEqual({ a: 1, b: 2, c: 1, d: 2 });
  });

  it.each([
    ["an unknown id", () => ({ batchItemFailures: [{ itemIdentifier: "not-in-this-batch" }] })],
    ["an empty id", () => ({ batchItemFailures: [{ itemIdentifier: "" }] })],
    [
      "a thrown error",
      () => {
        throw new Error("boom");
      },
    ],
  ])("redelivers the whole batch after %s", async (_label, first) => {
    const result = await runScenario(onFirst(first));
    expect(result.deliveries).toEqual({ a: 2, b: 2, c: 2, d: 2 });
    expect(result.stats.failedBatches).toBe(1);
  });

  it("redelivers the whole batch after the function times out", async () => {
    const fn = new LocalFunction({
      model: {
        logicalId: "Probe",
        name: "Probe",
        entryFile: fileURLToPath(new URL("../fixtures/functions/probe.mjs", import.meta.url)),
        handlerExport: "handler",
        environment: {},
        timeoutSeconds: 1,
        memoryMb: 128,
        reservedConcurrency: undefined,
      },
      environment: {},
      onLog: () => {},
      concurrency: 1,
    });
    try {
      // The first delivery sleeps past the timeout; later ones answer at once.
      const result = await runScenario((_event, delivery) =>
        fn
          .invoke({ action: "sleep", ms: delivery === 1 ? 5_000 : 0 })
          .then(() => ({ batchItemFailures: [] })),
      );
      expect(result.deliveries).toEqual({ a: 2, b: 2, c: 2, d: 2 });
      expect(result.stats.failedBatches).toBe(1);
    } finally {
      await fn.stop();
    }
  });

  it("lets SQS dead-letter messages that keep failing, after maxReceiveCount receives", async () => {
    const result = await runScenario(
      (event) => ({
        batchItemFailures: event.Records.filter((r) => r.body !== "a").map((r) => ({
          itemIdentifier: r.messageId,
        })),
      }),
      { maxReceiveCount: 2 },
    );
    expect(result.deliveries).toEqual({ a: 1, b: 2, c: 2, d: 2 });
    expect(result.deadLetters).toEqual(["b", "c", "d"]);
  });

  it("ignores reported failures when the mapping does not ask for them", async () => {
    const result = await runScenario(() => ({ batchItemFailures: [{ itemIdentifier: "x" }] }), {
      report: false,
    });
    expect(result.deliveries).toEqual({ a: 1, b: 1, c: 1, d: 1 });
  });
});
