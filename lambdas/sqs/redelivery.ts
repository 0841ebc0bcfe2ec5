import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { changeVisibility } from "../adapters/sqs-queue";
import { type BackoffSettings, retryDelaySeconds } from "./backoff";

/**
 * The consumer's `delayRetries`: each record to be retried stays invisible for its backoff delay
 * (from its receive count), set with ChangeMessageVisibilityBatch on the order queue.
 */
export function createRetryDelayer(sqs: SQSClient, queueUrl: string, settings: BackoffSettings) {
  return async (records: readonly SQSRecord[]): Promise<void> => {
    const failed = await changeVisibility(
      sqs,
      queueUrl,
      records.map((record) => ({
        id: record.messageId,
        receiptHandle: record.receiptHandle,
        seconds: retryDelaySeconds(Number(record.attributes.ApproximateReceiveCount || 1), settings),
      })),
    );
    if (failed.length > 0)
      throw new Error(`${failed.length} of ${records.length} retry delays could not be set`);
  };
}
