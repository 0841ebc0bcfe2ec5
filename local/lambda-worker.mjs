// One Lambda execution environment: a worker thread that imports a function's bundle once (its
// module scope runs like a cold start) and invokes its handler for each message from local mode.

import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

const { entryFile, handlerExport, functionName, memoryMb, logGroupName } = workerData;

const module = await import(pathToFileURL(entryFile).href);
const handler = module[handlerExport];
if (typeof handler !== "function") {
  throw new Error(`${entryFile} has no exported function ${handlerExport}`);
}

parentPort.on("message", async ({ id, event, requestId, deadline }) => {
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
  try {
    const result = await handler(event, context);
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({
      id,
      error: {
        errorType: error?.name ?? "Error",
        errorMessage: error?.message ?? String(error),
        trace: String(error?.stack ?? "").split("\n"),
      },
    });
  }
});

parentPort.postMessage({ ready: true });
