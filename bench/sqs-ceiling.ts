/**
 * The embedded SQS server's own ceiling: the same bodies sent (SendMessageBatch), received and
 * deleted (like the event source mapping) with no consumer work at all. The end-to-end figure is
 * judged against it.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

export interface CeilingOptions {
  sqs: SQSClient;
  queueUrl: string;
  bodies: readonly string[];
  /** Concurrent SendMessageBatch calls and concurrent receivers. */
  senders?: number;
  receivers?: number;
}

/** Messages per second through send + receive + delete. */
export async function measureSqsCeiling(
  options: CeilingOptions,
): Promise<{ messagesPerSecond: number; seconds: number }> {
  const { sqs, queueUrl, bodies } = options;
  const started = performance.now();
  let nextBody = 0;
  let received = 0;
  const send = async () => {
    while (nextBody < bodies.length) {
      const group = bodies.slice(nextBody, nextBody + 10);
      nextBody += group.length;
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: group.map((body, index) => ({ Id: String(index), MessageBody: body })),
        }),
      );
    }
  };
  const receive = async () => {
    while (received < bodies.length) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (Messages.length === 0) continue;
      received += Messages.length;
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
  };
  await Promise.all([
    ...Array.from({ length: options.senders ?? 16 }, send),
    ...Array.from({ length: options.receivers ?? 5 }, receive),
  ]);
  const seconds = (performance.now() - started) / 1000;
  return { messagesPerSecond: Math.round(bodies.length / seconds), seconds: Math.round(seconds * 100) / 100 };
}
