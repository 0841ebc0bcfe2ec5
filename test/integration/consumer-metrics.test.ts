import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { METRIC, METRICS_NAMESPACE } from "../../lambdas/shared/metrics";
import { defaultConsumerEnvironment } from "../../lib/environments";
import { localAwsEnvironment } from "../../local/embedded-aws";
import { orderMessage, sqsRecord, sqsRecords } from "../support/factories";
import { deleteStoreKeys, redisMode, redisUrl, uniquePrefix } from "../support/redis";
import { type EmbeddedSqs, startEmbeddedSqs } from "../support/sqs";

/**
 * The consumer Lambda as deployed (its entry file: middy, Powertools, Redis, SQS) writes one
 * Embedded Metric Format line per batch whose figures are the batch's outcomes.
 */

const prefix = uniquePrefix("metrics");
let sqs: EmbeddedSqs;
let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

beforeAll(async () => {
  sqs = await startEmbeddedSqs();
  Object.assign(process.env, {
    // What the stack sets at its default parameters (lib/environments.ts); below, where things are.
    ...defaultConsumerEnvironment(),
    REDIS_URL: redisUrl(),
    REDIS_MODE: redisMode(),
    KEY_PREFIX: prefix,
    QUEUE_URL: await sqs.createQueueUrl("metrics-orders"),
    DLQ_URL: await sqs.createQueueUrl("metrics-dlq"),
    ...localAwsEnvironment({ all: sqs.endpoint }),
    POWERTOOLS_SERVICE_NAME: "orders-pipeline",
    POWERTOOLS_LOG_LEVEL: "ERROR",
  });
  ({ handler } = await import("../../lambdas/sqs/consumer"));
});

afterAll(async () => {
  await deleteStoreKeys(prefix);
  await sqs?.stop();
});

type Emf = Record<string, unknown> & {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
};

/** Runs the handler and returns the EMF lines it wrote to stdout. */
async function invokeCapturingMetrics(event: SQSEvent): Promise<Emf[]> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    lines.push(...String(chunk).split("\n"));
    return true;
  });
  try {
    await handler(event, { functionName: "consumer", awsRequestId: "r1" } as Context);
  } finally {
    write.mockRestore();
  }
  return lines.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as Emf);
}

describe("consumer metrics", () => {
  it("publishes the batch's outcomes in the OrdersPipeline namespace", async () => {
    const first = sqsRecord(JSON.stringify(orderMessage({ order_id: "ORD-M-1" })));
    const records = [
      first,
      ...sqsRecords(
        orderMessage({ order_id: "ORD-M-2" }),
        orderMessage({ order_id: "ORD-M-3", user_id: "X1" }), // invalid_user_id
        orderMessage({ order_id: "ORD-M-4", order_value: 1 }), // value_mismatch
        orderMessage({ order_id: "ORD-M-1" }), // a duplicate of the first
        "not json", // malformed
      ),
    ];

    const lines = await invokeCapturingMetrics({ Records: records });

    const batch = lines.find((line) => METRIC.ordersValid in line);
    expect(batch?._aws.CloudWatchMetrics[0]?.Namespace).toBe(METRICS_NAMESPACE);
    expect(batch?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([["service"]]);
    expect(batch).toMatchObject({
      service: "orders-pipeline",
      [METRIC.ordersValid]: 2,
      [METRIC.ordersFailed]: 3,
      [METRIC.ordersDuplicate]: 1,
      [METRIC.ordersMalformed]: 1,
      [METRIC.ordersRetried]: 0,
      [METRIC.batchSize]: 6,
      [METRIC.batchDuration]: expect.any(Number),
    });
    const byReason = Object.fromEntries(
      lines
        .filter((line) => METRIC.ordersFailedByReason in line)
        .map((line) => [line.reason, line[METRIC.ordersFailedByReason]]),
    );
    expect(byReason).toEqual({ invalid_user_id: 1, value_mismatch: 1, malformed: 1 });
  });

  it("counts a redelivered batch as nothing new", async () => {
    const record = sqsRecord(JSON.stringify(orderMessage({ order_id: "ORD-M-REDELIVERED" })));
    await invokeCapturingMetrics({ Records: [record] });

    const [again] = await invokeCapturingMetrics({ Records: [record] });

    expect(again).toMatchObject({ [METRIC.ordersValid]: 0, [METRIC.ordersFailed]: 0, [METRIC.batchSize]: 1 });
  });
});
