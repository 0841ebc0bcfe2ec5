import { DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { deadLetterAccess } from "../../lambdas/adapters/dead-letters";
import { createGenerationStore } from "../../lambdas/adapters/generation-store";
import { rebuildState } from "../../lambdas/adapters/rebuild-state";
import { GENERATION_CACHE_MS } from "../../lambdas/adapters/redis-generations";
import { deleteGeneration } from "../../lambdas/adapters/redis-maintenance";
import { createRedisStore } from "../../lambdas/adapters/redis-store";
import { createS3Archive } from "../../lambdas/adapters/s3-archive";
import { queueDepth } from "../../lambdas/adapters/sqs-queue";
import { sendMessages } from "../../lambdas/adapters/sqs-sender";
import { createOrderGenerator } from "../../lambdas/core/generator";
import { generationPrefix } from "../../lambdas/core/key-prefix";
import { DEFAULT_JUDGING_RULES, type JudgingRules } from "../../lambdas/core/rules";
import { adminHandlers } from "../../lambdas/http/admin-routes";
import { docsHandlers } from "../../lambdas/http/docs-routes";
import { producerHandlers } from "../../lambdas/http/producer-routes";
import { ROUTES } from "../../lambdas/http/routes";
import { statsHandlers } from "../../lambdas/http/stats-routes";
import { createRedisClient } from "../../lambdas/shared/clients";
import { createHttpFunction } from "../../lambdas/shared/http";
import { processBatch } from "../../lambdas/sqs/process-batch";
import { type RunResult, runRebuild } from "../../lambdas/workflows/rebuild-from-archive";
import { toSqsRecord } from "../../local/event-source";
import { apiCaller } from "./api";
import { builtDashboard } from "./dashboard";
import { silentLogger } from "./fakes";
import { deleteKeys, redisMode, redisUrl, uniquePrefix } from "./redis";
import { localS3Client, startEmbeddedSqs } from "./sqs";

/**
 * The API's four functions wired to real parts: the real Redis under a fresh prefix and the
 * embedded SQS and S3 server (queues and the order archive), with a `consumeAll` that drains the
 * queue through the real consumer, and rebuilds run in this process as the rebuild function would.
 */
export async function startTestApi(options: {
  name: string;
  /** The admin token, or a getter (a secret read again now and then); none: admin routes open. */
  adminToken?: string | (() => Promise<string>);
  bodyLimitBytes?: number;
  /** The consumer's and the rebuild's judging rules (DEFAULT_JUDGING_RULES). */
  rules?: JudgingRules;
  /** How long exactly-once markers last (the store's default: 4 days). */
  markerTtlSeconds?: number;
  /** POST /produce: on unless "off" (the stack's parameter produce). */
  produce?: "on" | "off";
  /** The most an archive object may hold (the archive's default: 256 MiB). */
  maxArchiveObjectBytes?: number;
}) {
  const prefix = uniquePrefix(options.name);
  const redis = createRedisClient(redisUrl(), { mode: redisMode() });
  const sqs = await startEmbeddedSqs();
  const queueUrl = await sqs.createQueueUrl("orders");
  const dlqUrl = await sqs.createQueueUrl("orders-dlq");
  const storeOptions = { prefix, markerTtlSeconds: options.markerTtlSeconds };
  const store = createRedisStore(redis, storeOptions);
  const http = { logger: silentLogger, bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024 };
  const queues = {
    queueUrl,
    queueArn: queueArnOf(queueUrl),
    deadLetterQueueUrl: dlqUrl,
    deadLetterQueueArn: queueArnOf(dlqUrl),
  };
  const deadLetters = deadLetterAccess(sqs.client, queues, 5_000);
  // S3 names: lower case letters, digits and inner hyphens.
  const bucketName = `archive-${prefix}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/-$/, "");
  const archiveBucket = await sqs.createBucket(bucketName.slice(0, 63));
  const s3 = localS3Client(sqs.endpoint);
  const archive = createS3Archive(s3, archiveBucket, {
    authenticationKey: TEST_ARCHIVE_KEY,
    maxObjectBytes: options.maxArchiveObjectBytes,
  });
  const state = rebuildState(redis, prefix);
  const rebuildRuns: Promise<RunResult>[] = [];
  const runDeps = {
    state,
    archive,
    storeOf: (generation: number) =>
      createGenerationStore(redis, { ...storeOptions, prefix: generationPrefix(prefix, generation) }),
    deleteGeneration: (generation: number) => deleteGeneration(redis, prefix, generation),
    continueLater: async (id: string) => invokeRebuild(id),
    remainingMs: () => 60_000,
    logger: silentLogger,
    rules: options.rules ?? DEFAULT_JUDGING_RULES,
  };
  /** What the asynchronous invocation of the rebuild function does, in this process. */
  const invokeRebuild = async (id: string) => {
    rebuildRuns.push(runRebuild(id, runDeps));
  };
  const rebuild = {
    state,
    archive,
    deleteGeneration: runDeps.deleteGeneration,
    invoke: invokeRebuild,
    // Longer than the store's cached generations: what the production delay guarantees.
    listDelayMs: GENERATION_CACHE_MS + 100,
  };
  const handlers = {
    docs: createHttpFunction(ROUTES, "docs", docsHandlers({ dashboardDir: builtDashboard() }), http),
    producer: createHttpFunction(
      ROUTES,
      "producer",
      producerHandlers({
        send: (messages) => sendMessages(sqs.client, queueUrl, messages),
        generate: createOrderGenerator(),
        produce: options.produce !== "off",
      }),
      http,
    ),
    stats: createHttpFunction(
      ROUTES,
      "stats",
      statsHandlers({
        store,
        queueDepths: async () => ({
          queue: await queueDepth(sqs.client, queueUrl),
          deadLetterQueue: await queueDepth(sqs.client, dlqUrl),
        }),
      }),
      http,
    ),
    admin: createHttpFunction(ROUTES, "admin", adminHandlers({ store, deadLetters, rebuild }), {
      ...http,
      adminAuth: options.adminToken ? { token: options.adminToken } : "off",
    }),
  };
  const consumerDeps = {
    store,
    sendToDlq: (messages: Parameters<typeof sendMessages>[2]) => sendMessages(sqs.client, dlqUrl, messages),
    logger: silentLogger,
    archive,
    rules: options.rules ?? DEFAULT_JUDGING_RULES,
  };

  /** Receives the queue batch by batch, hands each to `handle`, and deletes it once handled. */
  async function drainQueue(handle: (records: SQSRecord[]) => Promise<void>): Promise<void> {
    for (;;) {
      const { Messages = [] } = await sqs.client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
      );
      if (Messages.length === 0) return;
      await handle(Messages.map((m) => toSqsRecord(m, queues.queueArn, "us-east-1")));
      await sqs.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }

  return {
    call: apiCaller(handlers),
    handlers,
    deadLetters,
    store,
    redis,
    sqs,
    queueUrl,
    dlqUrl,
    prefix,
    archive,
    /** The key of the archive's authenticators (the consumer's and the rebuild's). */
    archiveKey: TEST_ARCHIVE_KEY,
    /** The archive's bucket in the embedded S3 server, and a client for it. */
    archiveBucket,
    s3,
    /** What the rebuild function is wired to here (start and run steps, for tests that drive them). */
    rebuild,
    runDeps,
    /** Waits for every rebuild started so far (and its continuations) to end. */
    async rebuildsSettled(): Promise<RunResult[]> {
      const results: RunResult[] = [];
      while (results.length < rebuildRuns.length)
        results.push(await (rebuildRuns[results.length] as Promise<RunResult>));
      return results;
    },
    /** Runs these records through the consumer as one batch; fails on any reported failure. */
    async consume(records: SQSRecord[]): Promise<void> {
      const { batchItemFailures } = await processBatch(records, consumerDeps);
      if (batchItemFailures.length > 0)
        throw new Error(`consumer reported ${batchItemFailures.length} failures`);
    },
    /** Receives everything on the queue and runs it through the consumer; returns how many. */
    async consumeAll(): Promise<number> {
      let consumed = 0;
      await drainQueue(async (records) => {
        const { batchItemFailures } = await processBatch(records, consumerDeps);
        if (batchItemFailures.length > 0)
          throw new Error(`consumer reported ${batchItemFailures.length} failures`);
        consumed += records.length;
      });
      return consumed;
    },
    /** Receives and deletes everything on the queue without consuming it; returns the messages. */
    async receiveAll(): Promise<SQSRecord[]> {
      const received: SQSRecord[] = [];
      await drainQueue(async (records) => {
        received.push(...records);
      });
      return received;
    },
    async close() {
      await Promise.allSettled(rebuildRuns);
      await deleteKeys(redis, prefix);
      redis.disconnect();
      await sqs.stop();
    },
  };
}

/** The archive's authentication key in tests (the stack's is a Secrets Manager secret). */
export const TEST_ARCHIVE_KEY = "test-archive-authentication-key";

/** `.../000000000000/name` -> `arn:aws:sqs:us-east-1:000000000000:name` */
function queueArnOf(queueUrl: string): string {
  const [name, account] = queueUrl.split("/").reverse();
  return `arn:aws:sqs:us-east-1:${account}:${name}`;
}

export type TestApi = Awaited<ReturnType<typeof startTestApi>>;
