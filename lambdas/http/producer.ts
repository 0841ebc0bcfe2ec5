import { sendMessages } from "../adapters/sqs-sender";
import { createOrderGenerator } from "../core/generator";
import { createSqsClient } from "../shared/clients";
import { parseEnv } from "../shared/config";
import { FUNCTION_TABLE } from "../shared/functions";
import { createHttpFunction } from "../shared/http";
import { logger } from "../shared/logger";
import { createMetrics, publishEnqueueMetrics } from "../shared/metrics";
import { producerHandlers } from "./producer-routes";
import { ROUTES } from "./routes";

/** Lambda entry for the routes that put orders on the queue (see routes.ts). */

const env = parseEnv(FUNCTION_TABLE.producer.environment, process.env);
const sqs = createSqsClient();
const metrics = createMetrics();

export const handler = createHttpFunction(
  ROUTES,
  "producer",
  producerHandlers({
    send: (messages) => sendMessages(sqs, env.QUEUE_URL, messages),
    generate: createOrderGenerator(),
    produce: env.PRODUCE === "on",
    onEnqueued: (queued, notQueued) => publishEnqueueMetrics(metrics, queued, notQueued),
  }),
  { logger, bodyLimitBytes: env.BODY_LIMIT_BYTES },
);
