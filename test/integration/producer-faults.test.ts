import type { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendMessages } from "../../lambdas/adapters/sqs-sender";
import { createOrderGenerator } from "../../lambdas/core/generator";
import { producerHandlers } from "../../lambdas/http/producer-routes";
import { ROUTES } from "../../lambdas/http/routes";
import { createHttpFunction } from "../../lambdas/shared/http";
import { type AwsFaultProxy, startAwsFaultProxy } from "../../local/aws-fault-proxy";
import { localSqsClient } from "../../local/embedded-aws";
import { apiCaller } from "../support/api";
import { orderMessage } from "../support/factories";
import { silentLogger } from "../support/fakes";
import { drainQueue, type EmbeddedSqs, startEmbeddedSqs } from "../support/sqs";

/**
 * A queue that refuses what it is sent, over the real SDK and HTTP: the 503 lists the order ids
 * that did not reach the queue as data (`not_queued`), so a client resends exactly those.
 */

let sqs: EmbeddedSqs;
let refusing: AwsFaultProxy;
let refusingClient: SQSClient;
let call: ReturnType<typeof apiCaller>;
let queueUrl: string;

beforeAll(async () => {
  sqs = await startEmbeddedSqs();
  queueUrl = await sqs.createQueueUrl("producer-faults");
  refusing = await startAwsFaultProxy(sqs.endpoint, { sqsSendFailureRate: 1, archiveWriteFailureRate: 0 });
  refusingClient = localSqsClient(refusing.endpoint);
  const producer = createHttpFunction(
    ROUTES,
    "producer",
    producerHandlers({
      send: (messages) => sendMessages(refusingClient, queueUrl, messages),
      generate: createOrderGenerator(),
      produce: true,
    }),
    { logger: silentLogger, bodyLimitBytes: 1024 * 1024 },
  );
  call = apiCaller({ producer });
});
afterAll(async () => {
  refusingClient.destroy();
  await refusing.stop();
  await sqs.stop();
});

describe("POST /orders when the queue refuses them", () => {
  it("answers 503 with the order ids not queued as a list", async () => {
    const orders = ["ORD-NQ-1", "ORD-NQ-2", "ORD-NQ-3"].map((order_id) => orderMessage({ order_id }));
    const response = await call("POST", "/orders", { body: { orders } });
    expect(response.status).toBe(503);
    expect(response.json.not_queued).toEqual(["ORD-NQ-1", "ORD-NQ-2", "ORD-NQ-3"]);
    expect(response.json.error).toMatch(/^3 of 3 orders could not be queued/);
    expect(refusing.failedEntries).toBeGreaterThanOrEqual(3);
    expect(await drainQueue(sqs.client, queueUrl)).toEqual([]);
  }, 60_000);
});

describe("POST /produce where the deployment has it off (the default on AWS)", () => {
  it("answers 404 saying how to turn it on, and queues nothing", async () => {
    const offQueueUrl = await sqs.createQueueUrl("produce-off");
    const producer = createHttpFunction(
      ROUTES,
      "producer",
      producerHandlers({
        send: (messages) => sendMessages(sqs.client, offQueueUrl, messages),
        generate: createOrderGenerator(),
        produce: false,
      }),
      { logger: silentLogger, bodyLimitBytes: 1024 * 1024 },
    );
    const response = await apiCaller({ producer })("POST", "/produce", { body: { count: 1000 } });
    expect(response.status).toBe(404);
    expect(response.json.error).toBe("POST /produce is off in this deployment");
    expect(response.json.details.join(" ")).toContain("-c produce=on");
    expect(await drainQueue(sqs.client, offQueueUrl)).toEqual([]);
  });
});
