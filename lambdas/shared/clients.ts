import { SQSClient } from "@aws-sdk/client-sqs";
import { Redis } from "ioredis";

/**
 * Client factories. Entry files call them once, at module scope, so a warm execution environment
 * reuses its connections across invocations.
 */

/**
 * A Redis client that fails fast: SQS redelivery, not a long client-side retry, handles outages.
 * `autoPipelining` sends the commands of concurrent requests in one write: worth it for the API's
 * reads; not for the consumer, which paces its own script calls to overlap with its work.
 */
export function createRedisClient(url: string, options: { autoPipelining?: boolean } = {}): Redis {
  return new Redis(url, {
    enableAutoPipelining: options.autoPipelining ?? false,
    connectTimeout: 2_000,
    commandTimeout: 5_000,
    // On a lost connection every pending command fails at once (0 retries) and is never silently
    // sent again: the caller reports those messages and SQS redelivers them.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  });
}

/**
 * The SQS client. `useQueueUrlAsEndpoint: false` keeps calls on the configured endpoint
 * (AWS_ENDPOINT_URL on LocalStack and in local mode) instead of the queue URL's host.
 */
export function createSqsClient(): SQSClient {
  return new SQSClient({ useQueueUrlAsEndpoint: false });
}
