import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedAws, LOCAL_CREDENTIALS, startEmbeddedAws } from "../../local/embedded-aws";
import { declareBody, type RawAnswer, rawRequest } from "../support/raw-http";
import { localS3Client } from "../support/sqs";

/**
 * The embedded SQS and S3 server, in its own thread: what local/embedded-aws.ts asks of it by
 * message, and what it answers over HTTP to a client on this machine, to a web page elsewhere,
 * and to garbage.
 */

/** What an AWS client sends with every request: a SigV4 Authorization header, its scope naming the region. */
const SIGNED = {
  authorization:
    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
};
const json = (action: string) => ({
  ...SIGNED,
  "content-type": "application/x-amz-json-1.0",
  "x-amz-target": `AmazonSQS.${action}`,
});
const FORM = { ...SIGNED, "content-type": "application/x-www-form-urlencoded; charset=utf-8" };

/** Whether `answer` is the AWS error `code` in the shape of `protocol`. */
function expectAwsError(answer: RawAnswer, protocol: "json" | "query" | "s3", code: string): void {
  if (protocol === "json") {
    expect(answer.headers["content-type"]).toMatch(/^application\/x-amz-json-1\.0/);
    expect(JSON.parse(answer.text)).toEqual({
      __type: `com.amazonaws.sqs#${code}`,
      message: expect.any(String),
    });
  } else if (protocol === "query") {
    expect(answer.text).toMatch(
      new RegExp(
        `<ErrorResponse[^>]*><Error><Type>Sender</Type><Code>${code}</Code><Message>[^<]+</Message>`,
      ),
    );
    expect(answer.text).toMatch(/<RequestId>[\w-]+<\/RequestId><\/ErrorResponse>$/);
  } else {
    expect(answer.headers["content-type"]).toMatch(/xml/);
    expect(answer.text).toMatch(new RegExp(`<Error>\\s*<Code>${code}</Code>\\s*<Message>[^<]+</Message>`));
  }
}

describe("the embedded SQS and S3 server", () => {
  let aws: EmbeddedAws;
  let queueUrl: string;
  beforeAll(async () => {
    aws = await startEmbeddedAws();
    ({ queueUrl } = await aws.createQueue("embedded", { VisibilityTimeout: "17" }));
    await aws.createBucket("embedded-server-test");
  });
  afterAll(() => aws.stop());

  it("creates queues with their attributes and buckets, which the SDK then finds over HTTP", async () => {
    expect((await aws.createQueue("embedded")).queueArn).toBe("arn:aws:sqs:us-east-1:000000000000:embedded");
    const { Attributes } = await aws.client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["VisibilityTimeout"] }),
    );
    expect(Attributes?.VisibilityTimeout).toBe("17");
    const s3 = localS3Client(aws.endpoint);
    await expect(s3.send(new HeadBucketCommand({ Bucket: "embedded-server-test" }))).resolves.toBeDefined();
    s3.destroy();
  });

  it("reports a refused operation as an error", async () => {
    await expect(aws.createBucket("Not A Valid Name")).rejects.toThrow();
  });

  it("listens on 127.0.0.1 only: the kernel lists that one address, and no other of this machine's answers", async () => {
    const port = Number(new URL(aws.endpoint).port);
    const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
    const listening = (table: string) =>
      existsSync(table)
        ? readFileSync(table, "utf8")
            .split("\n")
            .map((line) => line.trim().split(/\s+/))
            .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === "0A") // 0A: LISTEN
            .map((fields) => fields[1]?.split(":")[0])
        : [];
    if (existsSync("/proc/net/tcp")) {
      expect(listening("/proc/net/tcp")).toEqual(["0100007F"]); // 127.0.0.1, little-endian
      expect(listening("/proc/net/tcp6")).toEqual([]);
    }
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address && !address.internal && !address.address.startsWith("fe80"))
      .map((address) => address?.address as string);
    for (const address of others) {
      await expect(reachable(address, port)).resolves.toBe(false);
    }
    await expect(reachable("127.0.0.1", port)).resolves.toBe(true);
  });

  describe("applies local mode's guard to every request, answering in the protocol's error shape", () => {
    it.each([
      ["json", { ...json("ListQueues"), host: "evil.example" }, "POST", "/", "{}"],
      ["query", { ...FORM, host: "evil.example" }, "POST", "/", "Action=ListQueues&Version=2012-11-05"],
      ["s3", { ...SIGNED, host: "evil.example:4566" }, "GET", "/embedded-server-test", undefined],
      ["s3", { host: "rebound.example" }, "GET", "/_fauxqs/queues", undefined],
    ] as const)("a foreign Host, in %s's shape", async (protocol, headers, method, path, body) => {
      const answer = await rawRequest(aws.endpoint, { method, path, headers, body });
      expect(answer.status).toBe(403);
      expectAwsError(answer, protocol, "AccessDenied");
    });

    it("a write a web page could send: another origin's, Origin null, or one with no Authorization header", async () => {
      const send = (headers: Record<string, string>) =>
        rawRequest(aws.endpoint, {
          headers,
          body: JSON.stringify({ QueueUrl: queueUrl, MessageBody: "from a web page" }),
        });
      const crossSite = await send({ ...json("SendMessage"), origin: "https://evil.example" });
      expect(crossSite.status).toBe(403);
      expectAwsError(crossSite, "json", "AccessDenied");
      expect((await send({ ...json("SendMessage"), origin: "null" })).status).toBe(403);
      const { authorization: _, ...unsigned } = json("SendMessage");
      const form = await rawRequest(aws.endpoint, {
        method: "PUT",
        path: "/embedded-server-test/markers/last-clear.json",
        headers: { "content-type": "text/plain" },
        body: "overwritten by a form",
      });
      expect(form.status).toBe(415);
      expectAwsError(form, "s3", "UnsupportedMediaType");
      expect((await send(unsigned)).status).toBe(415);
      const { Attributes } = await aws.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ["ApproximateNumberOfMessages"],
        }),
      );
      expect(Attributes?.ApproximateNumberOfMessages).toBe("0");
    });

    it("hands out queue URLs it accepts: a default client given only the queue URL, no endpoint, reaches the queue", async () => {
      expect(new URL(queueUrl).host).toBe(new URL(aws.endpoint).host);
      const client = new SQSClient({
        region: "us-east-1",
        credentials: LOCAL_CREDENTIALS,
        logger: { debug() {}, info() {}, warn() {}, error() {} }, // it says it uses the queue URL's host
      });
      try {
        await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "by the queue URL" }));
        const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
        expect(Messages.map((message) => message.Body)).toEqual(["by the queue URL"]);
        await client.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: Messages[0]?.ReceiptHandle }),
        );
      } finally {
        client.destroy();
      }
    });
  });

  describe("answers garbage 4xx in the protocol's error shape, and keeps serving", () => {
    const bucket = "/embedded-server-test";
    type Case = [string, "json" | "query" | "s3", number, string, Parameters<typeof rawRequest>[1]];
    // biome-ignore format: a table, one request a line
    const cases: Case[] = [
      ["malformed JSON", "json", 400, "SerializationException", { headers: json("SendMessage"), body: "{not" }],
      ["JSON null", "json", 400, "SerializationException", { headers: json("SendMessage"), body: "null" }],
      ["an empty body", "json", 400, "SerializationException", { headers: json("ListQueues"), body: "" }],
      ["binary junk as JSON", "json", 400, "SerializationException", { headers: json("SendMessage"), body: Buffer.from([0, 255, 1]) }],
      ["a number for a string", "json", 400, "SerializationException", { headers: json("SendMessage"), body: '{"QueueUrl":"q","MessageBody":5}' }],
      ["null in a batch", "json", 400, "SerializationException", { headers: json("DeleteMessageBatch"), body: '{"QueueUrl":"q","Entries":[null]}' }],
      ["an attribute with no DataType", "json", 400, "MissingParameter", { headers: json("SendMessage"), body: '{"QueueUrl":"q","MessageBody":"b","MessageAttributes":{"a":{"StringValue":"x"}}}' }],
      ["MaxResults 0", "json", 400, "InvalidParameterValue", { headers: json("ListQueues"), body: '{"MaxResults":0}' }],
      ["JSON as application/json", "json", 415, "UnsupportedMediaType", { headers: { ...json("ListQueues"), "content-type": "application/json" }, body: "{}" }],
      ["no action", "query", 400, "MissingAction", { headers: FORM, body: "Version=2012-11-05&%%%&&==" }],
      ["an unknown action", "query", 400, "InvalidAction", { headers: FORM, body: "Action=Nope&Version=2012-11-05" }],
      ["a word for a number", "query", 400, "InvalidParameterValue", { headers: FORM, body: "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=q&MaxNumberOfMessages=ten" }],
      ["text at /", "s3", 415, "UnsupportedMediaType", { headers: { ...SIGNED, "content-type": "text/plain" }, body: "hello" }],
      ["binary junk at /", "s3", 415, "UnsupportedMediaType", { headers: { ...SIGNED, "content-type": "application/octet-stream" }, body: Buffer.from([0, 1, 255]) }],
      ["a path that is not percent-encoding", "s3", 400, "InvalidURI", { method: "GET", path: `${bucket}/%ff` }],
      ["a copy source that is not percent-encoding", "s3", 400, "InvalidRequest", { method: "PUT", path: `${bucket}/copy`, headers: { ...SIGNED, "x-amz-copy-source": "%zz" } }],
      ["a method S3 has not", "s3", 405, "MethodNotAllowed", { method: "PATCH", path: `${bucket}/k`, headers: SIGNED, body: "x" }],
    ];

    it.each(cases)("%s: %s %i %s", async (_name, protocol, status, code, request) => {
      const answer = await rawRequest(aws.endpoint, request);
      expect(answer.status).toBe(status);
      expectAwsError(answer, protocol, code);
    });

    it("a body over SQS's limit, 413; one within the 11 MiB S3's parts may take, stored; one over, 413", async () => {
      const tooLarge = await declareBody(aws.endpoint, {
        headers: json("SendMessage"),
        length: 5 * 1_048_576,
      });
      expect(tooLarge.status).toBe(413);
      expectAwsError(tooLarge, "json", "RequestEntityTooLarge");
      const form = await declareBody(aws.endpoint, { headers: FORM, length: 5 * 1_048_576 });
      expect(form.status).toBe(413);
      expectAwsError(form, "query", "RequestEntityTooLarge");
      const part = await rawRequest(aws.endpoint, {
        method: "PUT",
        path: `${bucket}/large`,
        headers: SIGNED,
        body: Buffer.alloc(6 * 1_048_576, 0x61),
      });
      expect(part.status).toBe(200);
      const tooLargeForS3 = await declareBody(aws.endpoint, {
        method: "PUT",
        path: `${bucket}/too-large`,
        headers: SIGNED,
        length: 12 * 1_048_576,
      });
      expect(tooLargeForS3.status).toBe(413);
      expectAwsError(tooLargeForS3, "s3", "RequestEntityTooLarge");
    });

    it("random requests in SQS's JSON protocol: never a 5xx", async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...SQS_ACTIONS), sqsInput(queueUrl), async (action, input) => {
          const answer = await rawRequest(aws.endpoint, {
            headers: json(action),
            body: JSON.stringify(input),
          });
          expect(answer.status, answer.text).toBeLessThan(500);
        }),
        { numRuns: 300 },
      );
    });

    it("and serves a message sent after all that", async () => {
      await aws.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "still here" }));
      const { Messages = [] } = await aws.client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      expect(Messages.map((message) => message.Body)).toContain("still here");
    });
  });

  it("gives a ReceiveMessage that names some of the message attributes the MD5 of those (as AWS does)", async () => {
    const { queueUrl: url } = await aws.createQueue("named-attributes");
    await aws.client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: "attributed",
        MessageAttributes: {
          kept: { DataType: "String", StringValue: "yes" },
          left: { DataType: "Number", StringValue: "7" },
        },
      }),
    );
    const { Messages = [] } = await aws.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ["kept"] }),
    );
    expect(Messages[0]?.MessageAttributes).toEqual({ kept: { DataType: "String", StringValue: "yes" } });
    expect(Messages[0]?.MD5OfMessageAttributes).toBe(md5OfStringAttributes({ kept: ["String", "yes"] }));
  });
});

it("answers a name given with --allowed-host, S3's path-style requests included (not taken for a bucket)", async () => {
  const aws = await startEmbeddedAws({ allowedHosts: ["orders.test"] });
  try {
    await aws.createBucket("allowed");
    const host = `orders.test:${new URL(aws.endpoint).port}`;
    const put = await rawRequest(aws.endpoint, {
      method: "PUT",
      path: "/allowed/key",
      headers: { ...SIGNED, host },
      body: "by name",
    });
    expect(put.status).toBe(200);
    const get = await rawRequest(aws.endpoint, { method: "GET", path: "/allowed/key", headers: { host } });
    expect(get.text).toBe("by name");
    const other = await rawRequest(aws.endpoint, {
      method: "GET",
      path: "/allowed/key",
      headers: { host: "other.test" },
    });
    expect(other.status).toBe(403);
  } finally {
    await aws.stop();
  }
});

describe("a storage folder", () => {
  let storageDir: string;
  beforeAll(async () => {
    storageDir = await mkdtemp(join(tmpdir(), "embedded-storage-"));
  });
  afterAll(() => rm(storageDir, { recursive: true, force: true }));

  it("keeps the S3 objects and every queue's messages, in flight or not, for a server started later on it", async () => {
    const first = await startEmbeddedAws({ storageDir });
    await first.createBucket("archive");
    const s3 = localS3Client(first.endpoint);
    await s3.send(new PutObjectCommand({ Bucket: "archive", Key: "orders/1.json", Body: '{"order":1}' }));
    s3.destroy();
    const { queueUrl } = await first.createQueue("orders");
    const sent = [];
    for (const body of ["waiting", "in flight", "delayed"])
      sent.push(
        await first.client.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: body,
            DelaySeconds: body === "delayed" ? 1 : 0,
            MessageAttributes: { kind: { DataType: "String", StringValue: body } },
          }),
        ),
      );
    const inFlight = await first.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 600 }),
    );
    expect(inFlight.Messages?.length).toBe(1);
    await first.stop();

    const second = await startEmbeddedAws({ storageDir });
    const again = localS3Client(second.endpoint);
    try {
      await second.createBucket("archive"); // what local mode does at every start: the bucket is there
      const { Contents = [] } = await again.send(new ListObjectsV2Command({ Bucket: "archive" }));
      expect(Contents.map((object) => object.Key)).toEqual(["orders/1.json"]);
      const object = await again.send(new GetObjectCommand({ Bucket: "archive", Key: "orders/1.json" }));
      expect(await object.Body?.transformToString()).toBe('{"order":1}');
      const orders = await second.createQueue("orders");
      expect(orders.queueUrl).toBe(`${second.endpoint}/000000000000/orders`);
      const received = [];
      for (let attempt = 0; attempt < 20 && received.length < 3; attempt++) {
        const { Messages = [] } = await second.client.send(
          new ReceiveMessageCommand({
            QueueUrl: orders.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageAttributeNames: ["All"],
            MessageSystemAttributeNames: ["ApproximateReceiveCount"],
          }),
        );
        received.push(...Messages);
      }
      // The same messages, as SQS holds them: their ids, bodies, attributes and receive counts.
      expect(received.map((message) => message.MessageId).sort()).toEqual(
        sent.map((s) => s.MessageId).sort(),
      );
      expect(received.map((message) => message.Body).sort()).toEqual(["delayed", "in flight", "waiting"]);
      const wasInFlight = received.find((message) => message.MessageId === inFlight.Messages?.[0]?.MessageId);
      expect(wasInFlight?.Attributes?.ApproximateReceiveCount).toBe("2");
      expect(wasInFlight?.MessageAttributes?.kind?.StringValue).toBe(wasInFlight?.Body);
    } finally {
      again.destroy();
      await second.stop();
    }
    expect(existsSync(join(storageDir, "s3", "buckets", "archive"))).toBe(true);
  });

  it("starts with empty queues without a storage folder", async () => {
    const first = await startEmbeddedAws();
    const { queueUrl } = await first.createQueue("orders");
    await first.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "gone" }));
    await first.stop();
    const second = await startEmbeddedAws();
    try {
      const orders = await second.createQueue("orders");
      const { Messages = [] } = await second.client.send(
        new ReceiveMessageCommand({ QueueUrl: orders.queueUrl }),
      );
      expect(Messages).toEqual([]);
    } finally {
      await second.stop();
    }
  });
});

it("refuses a port that is taken with EADDRINUSE, and a later start on it works once it is free", async () => {
  const taken = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => taken.once("listening", resolve));
  const port = (taken.address() as { port: number }).port;
  await expect(startEmbeddedAws({ port })).rejects.toMatchObject({ code: "EADDRINUSE" });
  await new Promise((resolve) => taken.close(resolve));
  const server = await startEmbeddedAws({ port });
  expect(server.endpoint).toBe(`http://127.0.0.1:${port}`);
  await server.stop();
});

it("once stopped, fails a call at once instead of waiting for a thread that is gone", async () => {
  const server = await startEmbeddedAws();
  await server.stop();
  await expect(server.createQueue("too-late")).rejects.toThrow(/thread exited/);
  await expect(server.stop()).resolves.toBeUndefined();
});

/** Whether a TCP connection to `address:port` is accepted. */
function reachable(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 2_000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** SQS's MD5 of message attributes (String and Number ones), as its documentation gives it. */
function md5OfStringAttributes(attributes: Record<string, [dataType: string, value: string]>): string {
  const hash = createHash("md5");
  const field = (text: string) => {
    const bytes = Buffer.from(text, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const [dataType, value] = attributes[name] as [string, string];
    field(name);
    field(dataType);
    hash.update(Buffer.from([1])); // transport type: string
    field(value);
  }
  return hash.digest("hex");
}

const SQS_ACTIONS = [
  "CreateQueue",
  "GetQueueUrl",
  "ListQueues",
  "GetQueueAttributes",
  "SetQueueAttributes",
  "SendMessage",
  "SendMessageBatch",
  "ReceiveMessage",
  "DeleteMessage",
  "DeleteMessageBatch",
  "ChangeMessageVisibility",
  "ChangeMessageVisibilityBatch",
  "TagQueue",
  "UntagQueue",
  "ListQueueTags",
] as const;

/** An SQS input with every member any action has, each of a type and value a client might get wrong. */
function sqsInput(queueUrl: string) {
  const text = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom("", "All", "String", "Number", "Binary", "-1"),
  );
  const anything = fc.oneof(
    text,
    fc.integer({ min: -5, max: 50 }),
    fc.constant(null),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const attribute = fc.record(
    {
      DataType: fc.oneof(text, anything),
      StringValue: text,
      BinaryValue: text,
      StringListValues: fc.array(text),
    },
    { requiredKeys: [] },
  );
  const entry = fc.record(
    {
      Id: text,
      MessageBody: text,
      ReceiptHandle: text,
      VisibilityTimeout: anything,
      DelaySeconds: anything,
      MessageAttributes: fc.dictionary(text, attribute, { maxKeys: 2 }),
    },
    { requiredKeys: [] },
  );
  return fc
    .record(
      {
        QueueUrl: fc.oneof(fc.constant(queueUrl), text, anything),
        QueueName: fc.oneof(fc.constantFrom("embedded", "fuzz-created"), text),
        MessageBody: fc.oneof(text, anything),
        MaxNumberOfMessages: anything,
        MaxResults: anything,
        VisibilityTimeout: anything,
        DelaySeconds: anything,
        ReceiptHandle: fc.oneof(text, anything),
        Attributes: fc.oneof(fc.dictionary(text, text, { maxKeys: 2 }), anything),
        AttributeNames: fc.oneof(fc.array(text, { maxLength: 2 }), anything),
        MessageAttributeNames: fc.oneof(fc.array(text, { maxLength: 2 }), anything),
        MessageAttributes: fc.oneof(fc.dictionary(text, attribute, { maxKeys: 2 }), anything),
        Entries: fc.oneof(fc.array(fc.oneof(entry, anything), { maxLength: 11 }), anything),
        Tags: fc.oneof(fc.dictionary(text, text, { maxKeys: 2 }), anything),
        TagKeys: fc.oneof(fc.array(text, { maxLength: 2 }), anything),
      },
      { requiredKeys: [] },
    )
    .map((input) => ({ ...input, WaitTimeSeconds: 0 }));
}
