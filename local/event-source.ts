import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, type LocalQueue } from "./embedded-aws.ts";
import type { MappingModel } from "./template.ts";

/**
 * An SQS event source mapping, run the way Lambda runs one: up to MaximumConcurrency pollers,
 * each gathering up to BatchSize records or until MaximumBatchingWindowInSeconds has passed since
 * the first, invoking the function, and deleting what the response says succeeded. What is not
 * deleted reappears after the queue's visibility timeout; SQS dead-letters it after maxReceiveCount.
 */

/** What Lambda decides from a function's response (AWS docs, "Handling errors for an SQS event source"). */
export type BatchVerdict =
  | { kind: "success" }
  | { kind: "partial"; failedIds: Set<string> }
  | { kind: "failure"; reason: string };

/**
 * With ReportBatchItemFailures: a null or empty response or failure list is complete success; an
 * empty, null or unknown itemIdentifier, a badly named key or a malformed response fails the whole
 * batch; otherwise only the listed messages failed. Without it, any response is success.
 */
export function judgeBatchResponse(
  response: unknown,
  batchMessageIds: ReadonlySet<string>,
  reportBatchItemFailures: boolean,
): BatchVerdict {
  if (!reportBatchItemFailures || response === null || response === undefined) return { kind: "success" };
  if (typeof response !== "object" || Array.isArray(response))
    return { kind: "failure", reason: "invalid response" };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return { kind: "success" };
  if (!Array.isArray(failures)) return { kind: "failure", reason: "batchItemFailures is not a list" };
  const failedIds = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || id === "")
      return { kind: "failure", reason: "empty, null or missing itemIdentifier" };
    if (!batchMessageIds.has(id))
      return { kind: "failure", reason: `itemIdentifier ${id} is not in the batch` };
    failedIds.add(id);
  }
  return failedIds.size === 0 ? { kind: "success" } : { kind: "partial", failedIds };
}

export interface PollerStats {
  batches: number;
  records: number;
  deleted: number;
  failedBatches: number;
  largestBatch: number;
}

export interface SqsPollerOptions {
  sqs: SQSClient;
  queue: LocalQueue;
  mapping: MappingModel;
  region: string;
  invoke: (event: SQSEvent) => Promise<unknown>;
  /** Fault injection: every batch is delivered twice, the second delivery's response counts. */
  deliverTwice?: boolean;
  /** Told about each batch that did not fully succeed. */
  onBatchProblem?: (message: string) => void;
}

/** Pollers when the mapping sets no MaximumConcurrency (Lambda would scale much further). */
export const DEFAULT_POLLERS = 5;
/** Lambda's invocation payload limit is 6 MB; stop gathering well before it. */
const MAX_BATCH_BYTES = 5 * 1024 * 1024;
const LONG_POLL_SECONDS = 20;

export class SqsPoller {
  readonly stats: PollerStats = { batches: 0, records: 0, deleted: 0, failedBatches: 0, largestBatch: 0 };
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];

  private readonly options: SqsPollerOptions;

  constructor(options: SqsPollerOptions) {
    this.options = options;
  }

  start(): void {
    if (!this.options.mapping.enabled) return;
    const pollers = this.options.mapping.maxConcurrency ?? DEFAULT_POLLERS;
    this.loops = Array.from({ length: pollers }, () => this.pollLoop());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }

  private async pollLoop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const messages = await this.gatherBatch();
        if (messages.length > 0) await this.deliver(messages);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        this.options.onBatchProblem?.(`polling failed: ${(error as Error).message}`);
        await pause(1000, this.abort.signal);
      }
    }
  }

  private async gatherBatch(): Promise<Message[]> {
    const { batchSize, batchingWindowSeconds } = this.options.mapping;
    const messages: Message[] = [];
    let bytes = 0;
    let windowEnds: number | undefined;
    while (messages.length < batchSize && bytes < MAX_BATCH_BYTES && !this.abort.signal.aborted) {
      const remainingMs = windowEnds === undefined ? undefined : windowEnds - Date.now();
      if (remainingMs !== undefined && remainingMs <= 0) break;
      const received = await this.receive(
        Math.min(10, batchSize - messages.length),
        remainingMs === undefined ? LONG_POLL_SECONDS : 0,
      );
      for (const message of received) bytes += Buffer.byteLength(message.Body ?? "");
      messages.push(...received);
      if (messages.length > 0 && windowEnds === undefined) {
        if (batchingWindowSeconds === 0) break; // no window: invoke with what the poll returned
        windowEnds = Date.now() + batchingWindowSeconds * 1000;
      }
      if (received.length === 0 && remainingMs !== undefined)
        await pause(Math.min(50, remainingMs), this.abort.signal);
    }
    return messages;
  }

  private async receive(maxMessages: number, waitSeconds: number): Promise<Message[]> {
    const { Messages = [] } = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queue.url,
        MaxNumberOfMessages: maxMessages,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
      { abortSignal: this.abort.signal },
    );
    return Messages;
  }

  private async deliver(messages: Message[]): Promise<void> {
    const records = messages.map((message) =>
      toSqsRecord(message, this.options.queue.arn, this.options.region),
    );
    this.stats.batches++;
    this.stats.records += records.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, records.length);

    let verdict: BatchVerdict;
    try {
      if (this.options.deliverTwice) await this.options.invoke({ Records: records }).catch(() => undefined);
      const response = await this.options.invoke({ Records: records });
      verdict = judgeBatchResponse(
        response,
        new Set(records.map((r) => r.messageId)),
        this.options.mapping.reportBatchItemFailures,
      );
    } catch (error) {
      verdict = { kind: "failure", reason: (error as Error).message };
    }

    if (verdict.kind === "failure") {
      this.stats.failedBatches++;
      this.options.onBatchProblem?.(
        `batch of ${records.length} failed (${verdict.reason}); its messages return after the visibility timeout`,
      );
      return;
    }
    const done =
      verdict.kind === "partial"
        ? messages.filter((m) => !verdict.failedIds.has(m.MessageId ?? ""))
        : messages;
    if (verdict.kind === "partial") {
      this.options.onBatchProblem?.(
        `${verdict.failedIds.size} of ${records.length} records reported as failed; they will be retried`,
      );
    }
    await this.deleteMessages(done);
  }

  private async deleteMessages(messages: readonly Message[]): Promise<void> {
    const groups: Message[][] = [];
    for (let i = 0; i < messages.length; i += 10) groups.push(messages.slice(i, i + 10));
    await Promise.all(
      groups.map(async (group) => {
        const { Successful = [] } = await this.options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.options.queue.url,
            Entries: group.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
        this.stats.deleted += Successful.length;
      }),
    );
  }
}

let syntheticReceipts = 0;

/**
 * An SQS record with this body, as the event source mapping delivers a message received just
 * now (benchmarks and tests build events with it); the same messageId models a redelivery.
 */
export function syntheticSqsRecord(body: string, messageId: string = randomUUID()): SQSRecord {
  syntheticReceipts++;
  return {
    messageId,
    receiptHandle: `receipt-${syntheticReceipts}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(Date.now()),
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:orders`,
    awsRegion: LOCAL_REGION,
  };
}

/** A received SQS message as the event source mapping hands it to the function. */
export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? LOCAL_ACCOUNT_ID,
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.AWSTraceHeader ? { AWSTraceHeader: attributes.AWSTraceHeader } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? "String",
          stringValue: value.StringValue,
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** Waits `ms`, or until the poller stops (then at once, without an error). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => {});
}
