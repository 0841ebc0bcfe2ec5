import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { Redis } from "ioredis";

/**
 * Client factories. Entry files call them once, at module scope, so a warm execution environment
 * reuses its connections across invocations.
 */

export interface RedisClientOptions {
  /**
   * Sends the commands of concurrent requests in one write: worth it for the API's reads; not for
   * the consumer, which paces its own script calls to overlap with its work.
   */
  autoPipelining?: boolean;
  /**
   * Only idempotent commands (reads, clearing): a command cut off by a lost connection is sent
   * again after reconnecting, up to twice, instead of failing the request.
   */
  idempotent?: boolean;
}

/**
 * A Redis client. By default it fails fast: on a lost connection every pending command fails at
 * once and is never silently sent again, so the consumer reports those messages and SQS
 * redelivers them (its writes are exactly-once by their own markers, not by client retries).
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  return new Redis(url, {
    enableAutoPipelining: options.autoPipelining ?? false,
    connectTimeout: 2_000,
    commandTimeout: 5_000,
    maxRetriesPerRequest: options.idempotent ? 2 : 0,
    autoResendUnfulfilledCommands: options.idempotent ?? false,
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

/** Secrets Manager, read once per execution environment at cold start. */
export function createSecretsClient(): SecretsManagerClient {
  return new SecretsManagerClient({});
}
