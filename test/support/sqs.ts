import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { type FauxqsServer, startFauxqs } from "fauxqs";

/** The embedded SQS server (fauxqs on a free port), reached through the real AWS SDK over HTTP. */

export interface EmbeddedSqs {
  server: FauxqsServer;
  client: SQSClient;
  endpoint: string;
  createQueue(name: string, attributes?: Record<string, string>): string;
  stop(): Promise<void>;
}

export async function startEmbeddedSqs(): Promise<EmbeddedSqs> {
  const server = await startFauxqs({ port: 0, logger: false, host: "127.0.0.1" });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = new SQSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    useQueueUrlAsEndpoint: false,
  });
  return {
    server,
    client,
    endpoint,
    createQueue: (name, attributes) => server.createQueue(name, { attributes }).queueUrl,
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}

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
