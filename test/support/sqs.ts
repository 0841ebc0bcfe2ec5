import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { type EmbeddedAws, startEmbeddedAws } from "../../local/embedded-aws";

/** The embedded SQS server (local mode's, on a free port), reached through the real AWS SDK over HTTP. */

export interface EmbeddedSqs extends EmbeddedAws {
  /** A new queue's URL. */
  createQueueUrl(name: string, attributes?: Record<string, string>): Promise<string>;
}

export async function startEmbeddedSqs(): Promise<EmbeddedSqs> {
  const sqs = await startEmbeddedAws();
  return {
    ...sqs,
    createQueueUrl: async (name, attributes) => (await sqs.createQueue(name, attributes)).queueUrl,
  };
}

export { localS3Client } from "../../local/s3";

/** Receives (and deletes) every message currently in a queue. */
export async function drainQueue(client: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
        WaitTimeSeconds: 0,
      }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}
