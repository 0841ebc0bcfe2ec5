// One Lambda execution environment: a worker thread that loads a function's bundle once (its
// module scope runs like a cold start's init phase) and then runs one invocation at a time, as
// local mode sends them. After each it says how much memory the environment holds, for REPORT.

import { readlinkSync } from "node:fs";
import * as inspector from "node:inspector";
import { createRequire } from "node:module";
import { setPriority } from "node:os";
import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { beginInvocation, installLocalTracer, takeSpans } from "./worker-tracer.mjs";

const {
  entryFile,
  handlerExport,
  functionName,
  functionArn,
  memoryMb,
  logGroupName,
  logStreamName,
  inspect,
  recordSpans,
} = workerData;
const ENVIRONMENT_NICENESS = 10;

/** The environment's memory: its V8 heap, as committed, and what it holds outside the heap. */
function memoryUsedMb() {
  const heap = getHeapStatistics();
  return Math.ceil((heap.total_physical_size + heap.external_memory + heap.malloced_memory) / 2 ** 20);
}

function describe(error) {
  return {
    errorType: error?.name ?? "Error",
    errorMessage: error?.message ?? String(error),
    trace: String(error?.stack ?? "").split("\n"),
  };
}

// On AWS a function never shares a CPU with API Gateway, SQS or its event source; here they all
// share this machine, and a busy environment would slow the emulated services that feed it. So
// environments run at a lower priority than local mode's main thread (Linux: a thread's own
// niceness; elsewhere they keep the process's).
try {
  setPriority(Number(readlinkSync("/proc/thread-self").split("/").pop()), ENVIRONMENT_NICENESS);
} catch {
  // not Linux
}

// A debugger attaches to this environment alone (npm start -- --inspect, npm run invoke -- --inspect):
// its breakpoints in lambdas/*.ts resolve through the bundle's source map.
if (inspect) {
  inspector.open(inspect.port, "127.0.0.1");
  if (!inspector.url()) {
    // Node has said why on stderr ("address already in use"); say what to do about it.
    const errorMessage = `the debugger's port ${inspect.port} is taken: choose another with --inspect-port N`;
    parentPort.postMessage({
      type: "init-error",
      error: { errorType: "Runtime.InspectorError", errorMessage, trace: [] },
    });
    process.exit(1);
  }
  console.error(
    `${functionName}: debugger listening on ${inspector.url()} (chrome://inspect, or VS Code's "Attach to a function"); no timeout while debugging`,
  );
  if (inspect.wait) {
    // Handed to local mode before the wait blocks this thread, or it would show only once attached.
    await new Promise((resolve) =>
      process.stderr.write(`${functionName}: waiting for a debugger to attach before running\n`, resolve),
    );
    inspector.waitForDebugger();
  }
}

// Loaded with require(), the strictest loader a Lambda host uses (MiniStack and serverless-offline
// do; AWS imports): a bundle that loads here loads everywhere. require() refuses an ES module graph
// with top-level await (ERR_REQUIRE_ASYNC_MODULE), which import() would hide.
const require = createRequire(import.meta.url);
if (recordSpans) installLocalTracer(); // before the bundle looks for a tracer

let handler;
try {
  const module = require(entryFile);
  handler = module[handlerExport];
  if (typeof handler !== "function") {
    throw Object.assign(new Error(`${entryFile} has no exported function ${handlerExport}`), {
      name: "Runtime.HandlerNotFound",
    });
  }
} catch (error) {
  // Lambda fails the invocation that met the failed init and tries init again on the next one.
  parentPort.postMessage({ type: "init-error", error: describe(error) });
  handler = undefined;
}

if (handler) {
  // The messages of lambda-runtime.ts: `ToEnvironment` in, `FromEnvironment` out. Invocations run
  // one at a time, in the order they came: local mode may send the next one while this one runs
  // (dispatched ahead), so that it starts as soon as this one ends, without a round trip first.
  const queued = [];
  let running = false;
  const runQueued = async () => {
    running = true;
    while (queued.length > 0) await invoke(queued.shift());
    running = false;
  };
  parentPort.on("message", (sent) => {
    const message = typeof sent === "string" ? JSON.parse(sent) : sent; // an invocation comes as JSON text
    if (message.type === "crash") process.exit(1); // an injected crash (lambda-runtime.ts)
    if (message.type === "close-inspector") {
      inspector.close(); // the environment ends: let the debugger go, or it would hold the thread
      parentPort.postMessage({ type: "inspector-closed" });
      return;
    }
    queued.push(message);
    if (!running) void runQueued();
  });
  parentPort.postMessage({ type: "ready", memoryUsedMb: memoryUsedMb() });
}

/** One invocation: its time limit counts from when it starts, not from when it was sent. */
async function invoke({ event, requestId, timeoutMs, traceHeader }) {
  const deadline = Date.now() + timeoutMs;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName,
    logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
  process.env._X_AMZN_TRACE_ID = traceHeader; // per invocation, as Lambda sets it
  if (recordSpans) beginInvocation(traceHeader);
  try {
    const result = await handler(event, context);
    parentPort.postMessage({
      type: "result",
      value: result,
      memoryUsedMb: memoryUsedMb(),
      spans: takeSpans(),
    });
  } catch (error) {
    const spans = takeSpans();
    parentPort.postMessage({ type: "error", error: describe(error), memoryUsedMb: memoryUsedMb(), spans });
  }
}
