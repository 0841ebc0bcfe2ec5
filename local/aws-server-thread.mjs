// The embedded SQS and S3 server (local/aws-server.ts) in a thread of its own, as SQS and S3 are
// services of their own on AWS: its request handling does not take turns with local mode's API
// Gateway and pollers on the main thread. local/embedded-aws.ts starts it and asks it, by
// message, to create queues and buckets and to stop; everything else reaches it over HTTP,
// through the AWS SDK.

import { parentPort, workerData } from "node:worker_threads";
import { startAwsServer } from "./aws-server.ts";

try {
  const server = await startAwsServer(workerData);
  const operations = {
    createQueue: (name, attributes) => server.createQueue(name, attributes),
    createBucket: (name) => server.createBucket(name),
    stop: () => server.stop(),
  };
  parentPort.on("message", async ({ id, operation, args }) => {
    try {
      parentPort.postMessage({ id, result: await operations[operation](...args) });
    } catch (error) {
      parentPort.postMessage({ id, error: error?.message ?? String(error) });
    }
  });
  parentPort.postMessage({ started: server.port });
} catch (error) {
  parentPort.postMessage({ startError: error?.message ?? String(error), code: error?.code });
}
