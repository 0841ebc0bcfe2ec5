import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createRedisStore } from "../adapters/redis-store";
import { createS3Archive } from "../adapters/s3-archive";
import { sendMessages } from "../adapters/sqs-sender";
import { createS3Client, createSecretsClient, createSqsClient, redisFromEnv } from "../shared/clients";
import { initAtColdStart } from "../shared/cold-start";
import { judgingRulesOf, parseEnv } from "../shared/config";
import { FUNCTION_TABLE } from "../shared/functions";
import { logger } from "../shared/logger";
import { createMetrics, publishBatchMetrics } from "../shared/metrics";
import { archiveKeyFromEnv } from "../shared/secrets";
import { processBatch } from "./process-batch";
import { createRetryDelayer } from "./redelivery";

/** The SQS consumer Lambda: validates a batch of orders, records analytics, reports partial failures. */

const env = parseEnv(FUNCTION_TABLE.consumer.environment, process.env);
const sqs = createSqsClient();
const metrics = createMetrics();
const delayRetries = createRetryDelayer(sqs, env.QUEUE_URL, {
  baseSeconds: env.RETRY_BASE_SECONDS,
  maxSeconds: env.RETRY_MAX_SECONDS,
});
const rules = judgingRulesOf(env, env.VALUE_MISMATCH);
const archiveBucket = env.ARCHIVE_BUCKET;
const archiveReady = archiveBucket
  ? initAtColdStart(async () =>
      createS3Archive(createS3Client(process.env), archiveBucket, {
        authenticationKey: await archiveKeyFromEnv(env, createSecretsClient),
      }),
    )
  : undefined;
const storeReady = initAtColdStart(async () =>
  createRedisStore(await redisFromEnv(env), {
    prefix: env.KEY_PREFIX,
    markerTtlSeconds: env.MARKER_TTL_SECONDS,
    logMaxLength: env.LOG_MAX_LENGTH,
  }),
);

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger))
  .handler(async (event) =>
    processBatch(event.Records, {
      store: await storeReady(),
      sendToDlq: (messages) => sendMessages(sqs, env.DLQ_URL, messages),
      logger,
      rules,
      report: (report) => publishBatchMetrics(metrics, report),
      delayRetries,
      archive: await archiveReady?.(),
    }),
  );
