import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { Cluster, Redis } from "ioredis";
import { ConfigError, type RedisEnv, RedisUrlSchema } from "./config";
import { failStaleCommands } from "./redis-deadline";
import { readSecretString } from "./secrets";

/** A single Redis or a Redis Cluster (ElastiCache Serverless is always one): the store takes either. */
export type RedisClient = Redis | Cluster;
export type RedisMode = "single" | "cluster";

/**
 * Client factories. Entry files call them once, at module scope, so a warm execution environment
 * reuses its connections across invocations.
 */

export interface RedisClientOptions {
  /**
   * Sends the commands of concurrent requests in one write, a tick later. No function uses it now:
   * an environment runs one invocation at a time, so an API read has no concurrent request to
   * share a write with and would pay the deferral and a pipeline object per command, and the
   * consumer paces its own script calls to overlap with its work.
   */
  autoPipelining?: boolean;
  /**
   * Only idempotent commands (reads, clearing): a command cut off by a lost connection is sent
   * again after reconnecting, up to twice, instead of failing the request.
   */
  idempotent?: boolean;
  /** `cluster`: ioredis' cluster client, following the slot map from the node in the URL. */
  mode?: RedisMode;
  /**
   * Cluster only: addresses to use instead of those the nodes report (`host:port` -> address),
   * for a cluster behind NAT or proxies.
   */
  natMap?: Record<string, { host: string; port: number }>;
}

/** A command Redis has not answered in this long fails (see failStaleCommands: within a second more). */
const COMMAND_TIMEOUT_MS = 5_000;

/**
 * A Redis client. By default it fails fast: on a lost connection every pending command fails at
 * once and is never silently sent again, so the consumer reports those messages and SQS
 * redelivers them (its writes are exactly-once by their own markers, not by client retries).
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): RedisClient {
  const connection = {
    connectTimeout: 2_000,
    maxRetriesPerRequest: options.idempotent ? 2 : 0,
    autoResendUnfulfilledCommands: options.idempotent ?? false,
  };
  const retryStrategy = (attempt: number) => Math.min(attempt * 100, 1_000);
  if (options.mode !== "cluster") {
    const redis = new Redis(url, {
      ...connection,
      enableAutoPipelining: options.autoPipelining ?? false,
      retryStrategy,
    });
    failStaleCommands(redis, COMMAND_TIMEOUT_MS);
    return redis;
  }
  const { hostname, port, username, password, protocol } = new URL(url);
  const cluster = new Cluster([{ host: hostname, port: Number(port || 6379) }], {
    enableAutoPipelining: options.autoPipelining ?? false,
    clusterRetryStrategy: retryStrategy,
    ...(options.natMap ? { natMap: options.natMap } : {}),
    // TLS certificates name the configured host, not the node addresses the cluster reports.
    dnsLookup: (address, callback) => callback(null, address),
    redisOptions: {
      ...connection,
      username: decodeURIComponent(username) || undefined,
      password: decodeURIComponent(password) || undefined,
      ...(protocol === "rediss:" ? { tls: {} } : {}),
    },
  });
  if (!options.idempotent) {
    // The cluster client queues commands while it is not connected, however long that takes. Fail
    // fast instead, like the single client, once it has connected or had its connect time: the
    // consumer then reports the records and SQS brings them back after their backoff.
    const failFast = () => {
      cluster.options.enableOfflineQueue = false;
    };
    cluster.once("ready", failFast);
    setTimeout(failFast, connection.connectTimeout).unref();
  }
  failStaleCommands(cluster, COMMAND_TIMEOUT_MS);
  return cluster;
}

/**
 * The SQS client. `useQueueUrlAsEndpoint: false` keeps calls on the configured endpoint
 * (AWS_ENDPOINT_URL on LocalStack and in local mode) instead of the queue URL's host.
 */
export function createSqsClient(): SQSClient {
  return new SQSClient({ useQueueUrlAsEndpoint: false });
}

/**
 * The S3 client, given the process's environment. Against an emulator (AWS_ENDPOINT_URL set:
 * local mode, LocalStack) bucket names
 * go in the path, which needs no wildcard DNS; on AWS, virtual-hosted style as usual. No extra
 * CRC32 per upload (a third of a PUT's CPU in the consumer): TLS guards the bytes in transit, and
 * every archive object is gzip, whose own CRC32 the rebuild checks as it decompresses.
 */
export function createS3Client(env: { AWS_ENDPOINT_URL?: string; AWS_ENDPOINT_URL_S3?: string }): S3Client {
  const emulated = Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  return new S3Client({ forcePathStyle: emulated, requestChecksumCalculation: "WHEN_REQUIRED" });
}

/** The Lambda client (asynchronous invocations of the rebuild). */
export function createLambdaClient(): LambdaClient {
  return new LambdaClient({});
}

/** Secrets Manager, read once per execution environment at cold start. */
export function createSecretsClient(): SecretsManagerClient {
  return new SecretsManagerClient({});
}

/**
 * An entry's Redis client, from its environment: the URL from the secret REDIS_SECRET_ID names
 * when set, else REDIS_URL; the cluster client when REDIS_MODE=cluster. The secret is read at cold
 * start and again every SECRET_REFRESH_SECONDS: when the URL changed (a rotated password), the
 * client reconnects with the new one.
 */
export async function redisFromEnv(
  env: RedisEnv,
  options: Omit<RedisClientOptions, "mode"> = {},
): Promise<RedisClient> {
  const secretId = env.REDIS_SECRET_ID;
  if (!secretId) {
    if (!env.REDIS_URL) throw new ConfigError("invalid configuration: set REDIS_URL or REDIS_SECRET_ID");
    return createRedisClient(env.REDIS_URL, { ...options, mode: env.REDIS_MODE });
  }
  const secretsClient = createSecretsClient();
  const readUrl = async () => {
    const secret = await readSecretString(secretsClient, secretId);
    // Never echo the secret: it holds a password.
    if (!RedisUrlSchema.safeParse(secret).success)
      throw new ConfigError(`the secret ${secretId} does not hold a redis:// or rediss:// URL`);
    return secret;
  };
  let url = await readUrl();
  const client = createRedisClient(url, { ...options, mode: env.REDIS_MODE });
  // Read on a timer, not on demand: a client with a stale password cannot ask for a new one.
  const refresh = setInterval(async () => {
    const latest = await readUrl().catch(() => url); // a failed read keeps the current URL
    if (latest === url) return;
    url = latest;
    useRedisUrl(client, latest);
  }, env.SECRET_REFRESH_SECONDS * 1000);
  refresh.unref(); // never what keeps a process alive
  client.once("end", () => clearInterval(refresh));
  return client;
}

/** Points a client at another URL (new credentials, or another endpoint) and reconnects with it. */
function useRedisUrl(client: RedisClient, url: string): void {
  const { hostname, port, username, password, protocol } = new URL(url);
  const credentials = {
    username: decodeURIComponent(username) || undefined,
    password: decodeURIComponent(password) || undefined,
  };
  if (client instanceof Cluster) {
    Object.assign(client.options.redisOptions ?? {}, credentials);
  } else {
    Object.assign(client.options, credentials, {
      host: hostname,
      port: Number(port || 6379),
      tls: protocol === "rediss:" ? (client.options.tls ?? {}) : undefined,
    });
  }
  client.disconnect(true);
}
