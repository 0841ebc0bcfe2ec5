import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { chunks, SQS_BATCH_ENTRIES } from "../core/chunks";

export interface QueueDepth {
  /** Waiting to be received (SQS's approximate count). */
  messages: number;
  /** Received and not yet deleted. */
  inFlight: number;
}

/** A queue's depth; throws when the queue is unreachable. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    messages: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

export interface VisibilityChange {
  /** Unique within one call: reported back when its change failed. */
  id: string;
  receiptHandle: string;
  seconds: number;
}

/**
 * Sets each message's visibility timeout, 10 per ChangeMessageVisibilityBatch call (SQS's limit),
 * the calls in parallel. Returns the ids whose change failed (a failed call fails all of its ids).
 */
export async function changeVisibility(
  sqs: SQSClient,
  queueUrl: string,
  changes: readonly VisibilityChange[],
): Promise<string[]> {
  const calls = chunks(changes, SQS_BATCH_ENTRIES);
  const failed = await Promise.all(
    calls.map(async (entries) => {
      try {
        const { Failed = [] } = await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: entries.map((e) => ({
              Id: e.id,
              ReceiptHandle: e.receiptHandle,
              VisibilityTimeout: e.seconds,
            })),
          }),
        );
        return Failed.map((f) => f.Id ?? "");
      } catch {
        return entries.map((e) => e.id);
      }
    }),
  );
  return failed.flat();
}
