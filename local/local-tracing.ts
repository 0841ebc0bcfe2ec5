import type { SQSEvent } from "aws-lambda";
import type { InvocationReport, InvokeOptions } from "./lambda-runtime.ts";
import {
  epochMs,
  formatTraceHeader,
  MAX_LINKS,
  newSpanId,
  newTraceRoot,
  orderIdIn,
  parseTraceHeader,
  type TraceStore,
} from "./traces.ts";

/**
 * The spans local mode records around what it runs: each invocation (from its REPORT) with its
 * init, and each SQS batch: a trace of its own, linked to the producers' traces (as X-Ray links
 * a consumer's trace to each message's AWSTraceHeader), and each message's wait in the queue,
 * recorded in its producer's trace.
 */

/** An invocation's span (its init included, as a child span), from the report it ended with. */
export function recordInvocation(store: TraceStore, functionName: string, report: InvocationReport): void {
  const caller = parseTraceHeader(report.tracing?.value);
  if (!report.tracing || !caller || caller.sampled === false) return;
  const end = epochMs(performance.now());
  const initMs = report.metrics.initDurationMs ?? 0;
  const start = end - report.metrics.durationMs - initMs;
  store.record({
    traceId: caller.root,
    id: report.tracing.spanId,
    parentId: caller.parent,
    name: functionName,
    kind: "invocation",
    service: functionName,
    start,
    end,
    error: report.status !== "success",
    attributes: {
      requestId: report.requestId,
      status: report.status,
      durationMs: report.metrics.durationMs,
      maxMemoryUsedMB: report.metrics.maxMemoryUsedMB,
      coldStart: report.metrics.initDurationMs !== undefined,
    },
  });
  if (initMs > 0)
    store.record({
      traceId: caller.root,
      id: newSpanId(),
      parentId: report.tracing.spanId,
      name: "Init",
      kind: "init",
      service: functionName,
      start,
      end: start + initMs,
    });
}

type BatchInvoke = (event: SQSEvent, options: InvokeOptions) => Promise<unknown>;

/** The event source mapping's invocations, each batch traced (see above) when there is a store. */
export function tracedBatches(
  store: TraceStore | undefined,
  names: { queue: string; function: string },
  invoke: BatchInvoke,
): (event: SQSEvent) => Promise<unknown> {
  if (!store) return (event) => invoke(event, {});
  return async (event) => {
    const handedOver = epochMs(performance.now());
    const root = newTraceRoot();
    const batchSpanId = newSpanId();
    const sampled = store.sampler.sample();
    const links = recordWaits(store, event, { root, batchSpanId, sampled, handedOver, queue: names.queue });
    let error = false;
    try {
      return await invoke(event, { traceHeader: formatTraceHeader(root, batchSpanId, sampled) });
    } catch (thrown) {
      error = true;
      throw thrown;
    } finally {
      if (sampled)
        store.record({
          traceId: root,
          id: batchSpanId,
          parentId: undefined,
          name: `${names.queue} -> ${names.function} (${event.Records.length} records)`,
          kind: "batch",
          service: names.queue,
          start: handedOver,
          end: epochMs(performance.now()),
          error,
          links,
          attributes: { records: event.Records.length },
        });
    }
  };
}

/**
 * Each message's wait, from its sending to the batch's hand-over, in its producer's trace when that
 * one is recorded (else in the batch's, when that one is); the producers' traces (at most 20).
 */
function recordWaits(
  store: TraceStore,
  event: SQSEvent,
  batch: { root: string; batchSpanId: string; sampled: boolean; handedOver: number; queue: string },
): string[] {
  const links: string[] = [];
  for (const record of event.Records) {
    const producer = parseTraceHeader(record.attributes.AWSTraceHeader);
    if (producer && links.length < MAX_LINKS && !links.includes(producer.root)) links.push(producer.root);
    if (producer ? producer.sampled === false : !batch.sampled) continue;
    store.record({
      traceId: producer?.root ?? batch.root,
      id: newSpanId(),
      parentId: producer ? producer.parent : batch.batchSpanId,
      name: `${batch.queue} wait`,
      kind: "queue",
      service: batch.queue,
      start: Math.min(Number(record.attributes.SentTimestamp), batch.handedOver),
      end: batch.handedOver,
      attributes: {
        messageId: record.messageId,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
        consumerTrace: batch.root,
      },
      orderId: orderIdIn(record.body),
    });
  }
  return links;
}
