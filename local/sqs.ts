import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { type FauxqsServer, startFauxqs } from "fauxqs";
import type { BucketModel, QueueModel } from "./template.ts";

/**
 * The template's queues and buckets in an embedded SQS- and S3-compatible server (fauxqs): queues
 * with their visibility timeouts, retention and redrive policies, buckets empty at start (like
 * the queues, they live as long as local mode; their objects in a temporary directory). Everything talks to it through the real AWS SDK.
 */

export const LOCAL_REGION = "us-east-1";
export const LOCAL_ACCOUNT_ID = "000000000000";
export const LOCAL_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

/**
 * The environment that points the AWS SDK inside a function (or any process) at local endpoints:
 * region, credentials, and `AWS_ENDPOINT_URL` for every service, with per-service overrides.
 */
export function localAwsEnvironment(endpoints: {
  all?: string;
  secretsManager?: string;
  lambda?: string;
}): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    ...(endpoints.all ? { AWS_ENDPOINT_URL: endpoints.all } : {}),
    ...(endpoints.secretsManager ? { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager } : {}),
    ...(endpoints.lambda ? { AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda } : {}),
  };
}

/**
 * An SQS client for the embedded server. `useQueueUrlAsEndpoint: false` keeps every call on the
 * endpoint, whatever host a queue URL names. `md5: false` skips checking each received body's MD5
 * against the server's: the server is in this process, and the check was a twentieth of the main
 * thread's time under load, where the pollers receive every message through this client.
 */
export function localSqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    useQueueUrlAsEndpoint: false,
    md5: false,
  });
}

export interface LocalQueue {
  model: QueueModel;
  url: string;
  arn: string;
  name: string;
}

export interface LocalSqs {
  endpoint: string;
  client: SQSClient;
  server: FauxqsServer;
  /** Creates the queues that do not exist yet (dead-letter queues first); returns all, by logical id. */
  ensureQueues(models: readonly QueueModel[], stackName: string): Map<string, LocalQueue>;
  /** Creates the buckets that do not exist yet; returns every bucket's name, by logical id. */
  ensureBuckets(models: readonly BucketModel[], stackName: string): Map<string, string>;
  stop(): Promise<void>;
}

export async function startLocalSqs(port = 0): Promise<LocalSqs> {
  // Objects live in files, not in the heap: the archive grows with every order, and local mode's
  // memory should not. The directory goes when local mode stops, like the queues' messages.
  const objectsDir = await mkdtemp(join(tmpdir(), "orders-pipeline-s3-"));
  const server = await startFauxqs({
    port,
    host: "127.0.0.1",
    logger: false,
    defaultRegion: LOCAL_REGION,
    s3StorageDir: objectsDir,
  });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = localSqsClient(endpoint);
  const created = new Map<string, LocalQueue>();
  const createdBuckets = new Set<string>();

  return {
    endpoint,
    client,
    server,
    ensureQueues(models, stackName) {
      const byId = new Map(models.map((model) => [model.logicalId, model]));
      const create = (model: QueueModel): LocalQueue => {
        const existing = created.get(model.logicalId);
        if (existing) return existing;
        const attributes: Record<string, string> = {
          VisibilityTimeout: String(model.visibilityTimeoutSeconds),
          MessageRetentionPeriod: String(model.retentionSeconds),
        };
        if (model.redrive) {
          const deadLetterModel = byId.get(model.redrive.deadLetterLogicalId);
          if (!deadLetterModel)
            throw new Error(
              `${model.logicalId}: dead-letter queue ${model.redrive.deadLetterLogicalId} is not in the template`,
            );
          const deadLetters = create(deadLetterModel);
          attributes.RedrivePolicy = JSON.stringify({
            deadLetterTargetArn: deadLetters.arn,
            maxReceiveCount: String(model.redrive.maxReceiveCount),
          });
        }
        const name = `${stackName}-${model.name}`.slice(0, 80);
        const { queueUrl, queueArn } = server.createQueue(name, { attributes });
        const queue = { model, url: queueUrl, arn: queueArn, name };
        created.set(model.logicalId, queue);
        return queue;
      };
      for (const model of models) create(model);
      return new Map(models.map((model) => [model.logicalId, created.get(model.logicalId) as LocalQueue]));
    },
    ensureBuckets(models, stackName) {
      return new Map(
        models.map((model) => {
          // S3's rules: 3-63 characters, lower case letters, digits and hyphens.
          const name = `${stackName}-${model.name}`
            .toLowerCase()
            .replace(/[^a-z0-9-]/g, "-")
            .slice(0, 63);
          if (!createdBuckets.has(name)) {
            server.createBucket(name);
            createdBuckets.add(name);
          }
          return [model.logicalId, name];
        }),
      );
    },
    async stop() {
      client.destroy();
      await server.stop();
      await rm(objectsDir, { recursive: true, force: true });
    },
  };
}
