import {
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EmbeddedAws,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startEmbeddedAws,
} from "../../local/embedded-aws";
import type { QueueSnapshot } from "../../local/queue-snapshot";

/**
 * SQS's AWSTraceHeader through the embedded server, which fauxqs alone drops: a message sent
 * with a trace (the SDK's X-Amzn-Trace-Id header, or the system attribute) is received with it,
 * the client's own attributes and their MD5s untouched (the SDK checks them); and the console's
 * snapshot of a queue reads it without receiving anything.
 */

const TRACE = "Root=1-6750a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1";
let aws: EmbeddedAws;
let sqs: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  aws = await startEmbeddedAws();
  ({ queueUrl } = await aws.createQueue("traced"));
  // The SDK's default client, which checks every MD5 the server answers.
  sqs = new SQSClient({ endpoint: aws.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
});

afterAll(async () => {
  sqs?.destroy();
  await aws?.stop();
});

/** Sends with the X-Amzn-Trace-Id header, as the SDK does inside a function under a trace. */
function sendTraced<T extends { middlewareStack: unknown }>(command: T): T {
  const stack = command.middlewareStack as SendMessageCommand["middlewareStack"];
  stack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers["X-Amzn-Trace-Id"] = TRACE;
      return next(args);
    },
    { step: "build" },
  );
  return command;
}

async function receiveAll(names: string[] = ["All"]) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: names as never,
      MessageAttributeNames: ["All"],
      VisibilityTimeout: 0,
    }),
  );
  return Messages;
}

describe("AWSTraceHeader", () => {
  it("comes with a message sent under a trace, by header or attribute, its own attributes intact", async () => {
    await sqs.send(
      sendTraced(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: "by header",
          MessageAttributes: { kind: { DataType: "String", StringValue: "k" } },
        }),
      ),
    );
    await sqs.send(
      sendTraced(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [{ Id: "a", MessageBody: "in a batch" }],
        }),
      ),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: "by attribute",
        MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: TRACE } },
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "untraced" }));

    const snapshot = (await (
      await fetch(`${aws.endpoint}/_local/queues/traced?peek=10`)
    ).json()) as QueueSnapshot;
    expect(snapshot).toMatchObject({ name: "traced", waiting: 4, inFlight: 0 });
    expect(snapshot.messages.map((message) => message.traceHeader)).toEqual([TRACE, TRACE, TRACE, undefined]);
    expect(snapshot.messages[0]?.attributes).toEqual({ kind: { DataType: "String", StringValue: "k" } });

    const received = await receiveAll();
    const byBody = Object.fromEntries(received.map((message) => [message.Body, message]));
    for (const body of ["by header", "in a batch", "by attribute"])
      expect(byBody[body]?.Attributes?.AWSTraceHeader, body).toBe(TRACE);
    expect(byBody.untraced?.Attributes?.AWSTraceHeader).toBeUndefined();
    expect(byBody["by header"]?.MessageAttributes).toEqual({
      kind: { DataType: "String", StringValue: "k" },
    });
    expect(byBody["in a batch"]?.MessageAttributes).toBeUndefined();
    // Not asked for: not given, and never as a message attribute.
    for (const message of await receiveAll(["SentTimestamp"])) {
      expect(message.Attributes?.AWSTraceHeader).toBeUndefined();
      expect(Object.keys(message.MessageAttributes ?? {})).not.toContain("LocalMode.AWSTraceHeader");
    }
  });

  it("snapshots only queues that exist, named as SQS names them", async () => {
    expect((await fetch(`${aws.endpoint}/_local/queues/nothing-here`)).status).toBe(404);
    expect((await fetch(`${aws.endpoint}/_local/queues/bad%20name`)).status).toBe(400);
    const foreign = await fetch(`${aws.endpoint}/_local/queues/traced`, {
      headers: { "x-forwarded-host": "x" },
    });
    expect(foreign.status).toBe(200);
  });
});
