import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { buildApp } from "fauxqs";
import { type App, answerErrors, guardRequests, limitSqsBodies } from "./aws-server-http.ts";
import { serveSqsProtocols } from "./aws-server-sqs.ts";
import { serveQueueSnapshots } from "./queue-snapshot.ts";
import { keepTraceHeaders } from "./sqs-trace-header.ts";

/**
 * The embedded SQS and S3 server: fauxqs's app (its SQS, S3, and the SNS we do not use), built
 * here rather than by its `startFauxqs`, which listens on every interface. Here it listens on
 * 127.0.0.1 only; every request passes local mode's guard first (local/request-guard.ts); a
 * request that is not what an AWS client sends is answered 4xx in its protocol's error shape,
 * and nothing a request holds ends the server; SQS answers its query protocol (old boto3, the
 * AWS CLI v1, the Java SDK v1) beside its JSON protocol. Runs in local/aws-server-thread.mjs.
 */

export interface AwsServerOptions {
  port: number;
  region: string;
  /** Where the S3 objects live: in files, not in the heap. */
  objectsDir: string;
  /** Host names answered besides the loopback's (`npm start -- --allowed-host`). */
  allowedHosts: readonly string[];
  /**
   * Where the queues' messages are kept between runs: written at stop (every message, in flight
   * or not, as SQS holds it: its id, sent time and receive count), put back when its queue is
   * created again. None: the queues start empty.
   */
  queuesFile?: string;
}

export interface AwsServer {
  port: number;
  createQueue(name: string, attributes: Record<string, string>): { queueUrl: string; queueArn: string };
  createBucket(name: string): string;
  stop(): Promise<void>;
}

const ACCOUNT_ID = "000000000000";

export async function startAwsServer(options: AwsServerOptions): Promise<AwsServer> {
  const fauxqs = await fauxqsParts();
  const sqsStore = new fauxqs.SqsStore();
  // No host of fauxqs's own (sqs.<region>.localhost): a queue URL is http://<the Host asked>/<account>/<name>,
  // which the guard accepts and every client can reach.
  sqsStore.host = "";
  const s3Store = new fauxqs.S3Store();
  const objects = new fauxqs.FileS3Persistence(options.objectsDir);
  objects.loadS3(s3Store);
  s3Store.persistence = objects;
  const app: App = buildApp({
    logger: false,
    defaultRegion: options.region,
    stores: { sqsStore, snsStore: new fauxqs.SnsStore(), s3Store },
  });
  app.addHook("preClose", () => objects.close());
  guardRequests(app, options.allowedHosts);
  limitSqsBodies(app);
  serveSqsProtocols(app, fauxqs.md5OfMessageAttributes);
  keepTraceHeaders(app, fauxqs.md5OfMessageAttributes);
  serveQueueSnapshots(app, (name) => sqsStore.getQueueByName(name));
  answerErrors(app);
  const kept = keptMessages(options.queuesFile);
  await app.listen({ port: options.port, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    port,
    createQueue(name, attributes) {
      const queueArn = `arn:aws:sqs:${options.region}:${ACCOUNT_ID}:${name}`;
      const existing = sqsStore.getQueueByArn(queueArn);
      if (existing) return { queueUrl: existing.url, queueArn };
      const queueUrl = sqsStore.buildQueueUrl(name, "", `127.0.0.1:${port}`, options.region);
      const queue = sqsStore.createQueue(name, queueUrl, queueArn, attributes);
      for (const message of kept.take(name)) queue.enqueue(message);
      return { queueUrl, queueArn };
    },
    createBucket(name) {
      s3Store.createBucket(name);
      return name;
    },
    async stop() {
      kept.save(sqsStore.allQueues());
      await app.close();
    },
  };
}

/** A queue and a message as fauxqs's store holds them. */
type StoredQueue = ReturnType<Stores["sqsStore"]["createQueue"]>;
type StoredMessage = Parameters<StoredQueue["enqueue"]>[0];

/**
 * The messages kept in `file` from the last run, by queue name, and their saving at this run's
 * end. A message in flight is kept as ready, as SQS makes it once its visibility timeout ends; a
 * queue this run never created keeps its messages for a later one.
 */
function keptMessages(file: string | undefined) {
  const saved = new Map<string, StoredMessage[]>(
    file && existsSync(file) ? Object.entries(JSON.parse(readFileSync(file, "utf8"))) : [],
  );
  return {
    take(queueName: string): StoredMessage[] {
      const messages = saved.get(queueName) ?? [];
      saved.delete(queueName);
      return messages;
    },
    save(queues: Iterable<StoredQueue>): void {
      if (!file) return;
      for (const queue of queues) {
        const { ready, delayed, inflight } = queue.inspectMessages();
        saved.set(queue.name, [...inflight.map((entry) => entry.message), ...ready, ...delayed]);
      }
      writeFileSync(
        file,
        JSON.stringify(Object.fromEntries([...saved].filter(([, messages]) => messages.length > 0))),
      );
    },
  };
}

/** fauxqs's stores, S3 file persistence and attribute digest, which its entry does not export: from the files beside it. */
async function fauxqsParts() {
  const dist = new URL(".", import.meta.resolve("fauxqs"));
  const load = (file: string) => import(new URL(file, dist).href);
  const [sqs, sns, s3, files, md5] = await Promise.all([
    load("sqs/sqsStore.js"),
    load("sns/snsStore.js"),
    load("s3/s3Store.js"),
    load("s3/fileS3Persistence.js"),
    load("common/md5.js"),
  ]);
  return {
    SqsStore: sqs.SqsStore as new () => Stores["sqsStore"],
    SnsStore: sns.SnsStore as new () => Stores["snsStore"],
    S3Store: s3.S3Store as new () => Stores["s3Store"],
    FileS3Persistence: files.FileS3Persistence as new (dir: string) => S3Persistence,
    md5OfMessageAttributes: md5.md5OfMessageAttributes as (attributes: object) => string,
  };
}

/** fauxqs's stores, as its declarations for buildApp type them. */
type Stores = NonNullable<NonNullable<Parameters<typeof buildApp>[0]>["stores"]>;

/** fauxqs's S3 file persistence: what S3Store writes through, and its load and close. */
type S3Persistence = NonNullable<Stores["s3Store"]["persistence"]> & {
  loadS3(store: Stores["s3Store"]): void;
  close(): void;
};
