import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { AwsServerOptions } from "./aws-server.ts";
import type { BucketModel, QueueModel } from "./template.ts";

/**
 * The template's queues and buckets in an embedded SQS- and S3-compatible server (fauxqs): queues
 * with their visibility timeouts, retention and redrive policies, buckets empty at start (like
 * the queues, they live as long as local mode, unless given a storage folder to keep their
 * objects in). It listens on 127.0.0.1 only, behind local mode's request guard, and speaks SQS's
 * JSON and query protocols and S3's (local/aws-server.ts). Everything talks to it through the real AWS SDK.
 */

export const LOCAL_REGION = "us-east-1";
export const LOCAL_ACCOUNT_ID = "000000000000";
export const LOCAL_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

/**
 * The environment that points the AWS SDK inside a function (or any process) at local endpoints:
 * region, credentials, and `AWS_ENDPOINT_URL` for every service, with per-service overrides.
 */
export function localAwsEnvironment(
  endpoints: { all?: string; secretsManager?: string; lambda?: string },
  credentials = LOCAL_CREDENTIALS,
): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(endpoints.all ? { AWS_ENDPOINT_URL: endpoints.all } : {}),
    ...(endpoints.secretsManager ? { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager } : {}),
    ...(endpoints.lambda ? { AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda } : {}),
  };
}

/**
 * An SQS client for the embedded server. `useQueueUrlAsEndpoint: false` keeps every call on the
 * endpoint, whatever host a queue URL names. `md5: false` skips checking each received body's MD5
 * against the server's: the server is a thread of this process, and the check was a twentieth of
 * the main thread's time under load, where the pollers receive every message through this client.
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

export interface EmbeddedAws {
  endpoint: string;
  client: SQSClient;
  /** Creates a queue; its URL and ARN. */
  createQueue(
    name: string,
    attributes?: Record<string, string>,
  ): Promise<{ queueUrl: string; queueArn: string }>;
  /** Creates a bucket; its name. */
  createBucket(name: string): Promise<string>;
  /** Creates the queues that do not exist yet (dead-letter queues first); returns all, by logical id. */
  ensureQueues(models: readonly QueueModel[], stackName: string): Promise<Map<string, LocalQueue>>;
  /** Creates the buckets that do not exist yet; returns every bucket's name, by logical id. */
  ensureBuckets(models: readonly BucketModel[], stackName: string): Promise<Map<string, string>>;
  stop(): Promise<void>;
}

export interface EmbeddedAwsOptions {
  /** Its port on 127.0.0.1; a free one by default. */
  port?: number;
  /**
   * The folder its state is kept in when it stops: the S3 objects (under `s3/`) and the queues'
   * messages (`queues.json`, written at stop); a server started later on the same folder has
   * them. By default the objects are in a temporary folder, removed when it stops, and the queues
   * start empty.
   */
  storageDir?: string;
  /** Host names it answers besides the loopback's (`npm start -- --allowed-host`). */
  allowedHosts?: readonly string[];
}

/**
 * Starts the server in a thread of its own (local/aws-server-thread.mjs): on AWS, SQS and S3 do
 * not share a CPU with API Gateway and the event source's pollers, and here the main thread is
 * the one that runs those.
 */
export async function startEmbeddedAws(options: EmbeddedAwsOptions = {}): Promise<EmbeddedAws> {
  // Objects live in files, not in the heap: the archive grows with every order, and local mode's
  // memory should not. Without a storage folder they go when the server stops, like the queues' messages.
  const objectsDir = options.storageDir
    ? join(options.storageDir, "s3")
    : await mkdtemp(join(tmpdir(), "orders-pipeline-s3-"));
  const removeTemporary = async () => {
    if (!options.storageDir) await rm(objectsDir, { recursive: true, force: true });
  };
  const server = await startServerThread({
    port: options.port ?? 0,
    region: LOCAL_REGION,
    objectsDir,
    allowedHosts: [...(options.allowedHosts ?? [])],
    ...(options.storageDir ? { queuesFile: join(options.storageDir, "queues.json") } : {}),
  }).catch(async (error: unknown) => {
    await removeTemporary();
    throw error;
  });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = localSqsClient(endpoint);
  const createQueue: EmbeddedAws["createQueue"] = (name, attributes = {}) =>
    server.call("createQueue", name, attributes) as Promise<{ queueUrl: string; queueArn: string }>;
  const createBucket: EmbeddedAws["createBucket"] = (name) =>
    server.call("createBucket", name) as Promise<string>;
  return withTemplates({
    endpoint,
    client,
    createQueue,
    createBucket,
    async stop() {
      client.destroy();
      await server.stop();
      await removeTemporary();
    },
  });
}

/** Creates a template's queues once each (a dead-letter queue before the queue that names it). */
function queuesOfTemplate(createQueue: EmbeddedAws["createQueue"]): EmbeddedAws["ensureQueues"] {
  const created = new Map<string, LocalQueue>();
  return async (models, stackName) => {
    const byId = new Map(models.map((model) => [model.logicalId, model]));
    const create = async (model: QueueModel): Promise<LocalQueue> => {
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
        const deadLetters = await create(deadLetterModel);
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: deadLetters.arn,
          maxReceiveCount: String(model.redrive.maxReceiveCount),
        });
      }
      const name = `${stackName}-${model.name}`.slice(0, 80);
      const { queueUrl, queueArn } = await createQueue(name, attributes);
      const queue = { model, url: queueUrl, arn: queueArn, name };
      created.set(model.logicalId, queue);
      return queue;
    };
    for (const model of models) await create(model);
    return new Map(models.map((model) => [model.logicalId, created.get(model.logicalId) as LocalQueue]));
  };
}

/** Creates a template's buckets once each, named as S3 allows. */
function bucketsOfTemplate(createBucket: EmbeddedAws["createBucket"]): EmbeddedAws["ensureBuckets"] {
  const created = new Set<string>();
  return async (models, stackName) => {
    const names = new Map<string, string>();
    for (const model of models) {
      // S3's rules: 3-63 characters, lower case letters, digits and hyphens.
      const name = `${stackName}-${model.name}`
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .slice(0, 63);
      if (!created.has(name)) {
        await createBucket(name);
        created.add(name);
      }
      names.set(model.logicalId, name);
    }
    return names;
  };
}

interface ServerThread {
  port: number;
  call(operation: "createQueue" | "createBucket", ...args: unknown[]): Promise<unknown>;
  stop(): Promise<void>;
}

async function startServerThread(workerData: AwsServerOptions) {
  const worker = new Worker(new URL("./aws-server-thread.mjs", import.meta.url), {
    workerData,
    name: "sqs-s3-server",
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  // Set once the thread has ended: a call then fails at once instead of waiting for no answer.
  let exited: Error | undefined;
  const call = (operation: string, ...args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      if (exited) return reject(exited);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, operation, args });
    });
  const port = await new Promise<number>((resolve, reject) => {
    worker.on("message", (message: ServerMessage) => {
      if (message.started !== undefined) resolve(message.started);
      else if (message.startError !== undefined)
        reject(Object.assign(new Error(message.startError), { code: message.code }));
      else if (message.id !== undefined) {
        const waiting = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) waiting?.reject(new Error(message.error));
        else waiting?.resolve(message.result);
      }
    });
    worker.on("error", reject); // an uncaught error ends the thread: "exit" follows
    worker.once("exit", (code) => {
      exited = new Error(`the SQS and S3 server's thread exited (${code})`);
      reject(exited);
      for (const waiting of pending.values()) waiting.reject(exited);
      pending.clear();
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  const thread: ServerThread = {
    port,
    call,
    async stop() {
      if (!exited) await call("stop").catch(() => {}); // closes its port and connections first
      await worker.terminate();
    },
  };
  return thread;
}

interface ServerMessage {
  started?: number;
  startError?: string;
  code?: string;
  id?: number;
  result?: unknown;
  error?: string;
}

/**
 * The embedded server of the local mode that owns the state folder, for `npm run invoke` beside
 * it: the same queues and buckets, created through the AWS APIs if the template has new ones
 * (CreateQueue with the same attributes returns the queue that exists). Stopping it stops nothing
 * but its clients.
 */
export async function attachEmbeddedAws(endpoint: string): Promise<EmbeddedAws> {
  const { CreateQueueCommand, GetQueueAttributesCommand } = await import("@aws-sdk/client-sqs");
  const { CreateBucketCommand, S3Client } = await import("@aws-sdk/client-s3");
  const client = localSqsClient(endpoint);
  const s3 = new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  const createQueue: EmbeddedAws["createQueue"] = async (name, attributes = {}) => {
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    return { queueUrl: QueueUrl as string, queueArn: Attributes?.QueueArn as string };
  };
  const createBucket: EmbeddedAws["createBucket"] = async (name) => {
    await s3.send(new CreateBucketCommand({ Bucket: name })).catch((error: Error) => {
      if (error.name !== "BucketAlreadyOwnedByYou" && error.name !== "BucketAlreadyExists") throw error;
    });
    return name;
  };
  return withTemplates({
    endpoint,
    client,
    createQueue,
    createBucket,
    async stop() {
      client.destroy();
      s3.destroy();
    },
  });
}

/** A server's own operations, with the template's queues and buckets created through them. */
function withTemplates(server: Omit<EmbeddedAws, "ensureQueues" | "ensureBuckets">): EmbeddedAws {
  return {
    ...server,
    ensureQueues: queuesOfTemplate(server.createQueue),
    ensureBuckets: bucketsOfTemplate(server.createBucket),
  };
}
