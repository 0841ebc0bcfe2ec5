import { fork } from "node:child_process";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import { localSqsClient, startEmbeddedAws } from "../local/embedded-aws";
import { localS3Client } from "../local/s3";

/**
 * The embedded SQS and S3 server (fauxqs) in a process of its own, as SQS and S3 are elsewhere
 * for a deployed function: a benchmark of a function then does not pay the server's CPU too.
 * Run as a script, it starts the server and reports its port to the parent.
 */

export interface AwsServerProcess {
  endpoint: string;
  createQueue(name: string): Promise<string>;
  createBucket(name: string): Promise<string>;
  stop(): void;
}

export async function startAwsServerProcess(): Promise<AwsServerProcess> {
  const child = fork(new URL(import.meta.url).pathname, [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`the server process exited (${code})`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const sqs = localSqsClient(endpoint);
  const s3 = localS3Client(endpoint);
  return {
    endpoint,
    async createQueue(name) {
      return (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? "";
    },
    async createBucket(name) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    stop() {
      sqs.destroy();
      s3.destroy();
      child.kill();
    },
  };
}

if (import.meta.main) {
  const server = await startEmbeddedAws();
  process.send?.({ port: Number(new URL(server.endpoint).port) });
  process.on("disconnect", () => process.exit(0));
}
