/**
 * `npm run bench:traces`: what local mode's trace recording costs its main thread, per API request
 * and per SQS message, measured on the calls local mode makes: recording every trace
 * (LOCAL_TRACES=all), sampling them (the default: 50 a second, then 5%, which a tight loop soon
 * passes, as a load does) and not at all (LOCAL_TRACES=off, the trace headers passed on only).
 * Medians of 5 rounds. What this cannot show is the garbage collection of spans kept until the ring
 * overwrites them, on the main thread and V8's helpers, under a load: docs/console.md has that.
 */
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { parseCommandLine } from "../local/command-line";
import { recordInvocation, tracedBatches } from "../local/local-tracing";
import { beginGatewayTrace, gatewaySpan, invocationTrace, TraceSampler, TraceStore } from "../local/traces";
import { median } from "./statistics";

parseCommandLine("npm run bench:traces", {}, process.argv.slice(2));

const REQUESTS = 200_000;
const BATCHES = 2_000;
const BATCH_SIZE = 100;
const ROUNDS = 5;

/** One API request's trace work: the gateway's trace, the invocation's, and (when sampled) their spans. */
function microsecondsPerRequest(store: TraceStore | undefined): number {
  const began = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const trace = beginGatewayTrace(undefined, store?.sampler);
    const invocation = invocationTrace(trace.header);
    if (!store || !trace.sampled) continue;
    recordInvocation(store, "StatsFunction", {
      requestId: "r",
      status: "success",
      metrics: { durationMs: 1.2, billedDurationMs: 2, memorySizeMB: 512, maxMemoryUsedMB: 40 },
      tracing: { type: "X-Amzn-Trace-Id", value: invocation.value, spanId: invocation.spanId },
    });
    store.record(gatewaySpan(trace, "GET", "/stats/global", 200, started));
  }
  return ((performance.now() - began) / REQUESTS) * 1000;
}

/** One SQS message's trace work in a batch of 100: its wait's span, the batch's links and span. */
async function microsecondsPerMessage(store: TraceStore | undefined): Promise<number> {
  const body = JSON.stringify({
    order_id: "ORD01JABCDEFGHJKMNPQRSTVWXYZ",
    user_id: "U1003",
    order_timestamp: "2026-11-24T10:15:00.000Z",
    order_value: 1234.5,
    items: [{ product_id: "P001", quantity: 3, price_per_unit: 411.5 }],
  });
  const records = Array.from(
    { length: BATCH_SIZE },
    (_, i) =>
      ({
        messageId: `m${i}`,
        body,
        attributes: {
          ApproximateReceiveCount: "1",
          SentTimestamp: String(Date.now()),
          AWSTraceHeader: `Root=1-6750a1b2-0123456789abcdef0123${String(i % 10).padStart(4, "0")};Parent=53995c3f42cd8ad8;Sampled=1`,
        },
      }) as unknown as SQSRecord,
  );
  const invoke = tracedBatches(store, { queue: "Orders", function: "Consumer" }, async () => ({}));
  const began = performance.now();
  for (let i = 0; i < BATCHES; i++) await invoke({ Records: records } as SQSEvent);
  return ((performance.now() - began) / (BATCHES * BATCH_SIZE)) * 1000;
}

const everyTrace = () => new TraceStore(undefined, TraceSampler.everyTrace());
const runs = {
  requestOff: [] as number[],
  requestSampled: [] as number[],
  requestOn: [] as number[],
  messageOff: [] as number[],
  messageOn: [] as number[],
};
for (let round = 0; round < ROUNDS; round++) {
  runs.requestOff.push(microsecondsPerRequest(undefined));
  runs.requestSampled.push(microsecondsPerRequest(new TraceStore()));
  runs.requestOn.push(microsecondsPerRequest(everyTrace()));
  runs.messageOff.push(await microsecondsPerMessage(undefined));
  runs.messageOn.push(await microsecondsPerMessage(everyTrace()));
}
const at = (values: number[]) => median(values).toFixed(2);
console.log(
  `per API request: ${at(runs.requestOff)} µs (headers only, LOCAL_TRACES=off), ${at(runs.requestSampled)} µs sampled (the default, past its reservoir), ${at(runs.requestOn)} µs recording each (LOCAL_TRACES=all)`,
);
console.log(
  `per SQS message: ${at(runs.messageOff)} µs (headers only, LOCAL_TRACES=off), ${at(runs.messageOn)} µs recording each`,
);
