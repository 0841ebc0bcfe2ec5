import { createHash } from "node:crypto";
import { GetQueueAttributesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedAws, startEmbeddedAws } from "../../local/embedded-aws";

/**
 * SQS's query protocol (what boto3 before 1.29, the AWS CLI v1 and the Java SDK v1 speak) over
 * real HTTP to the embedded server: form-encoded requests, XML answers, beside the JSON protocol
 * the AWS SDK v3 speaks to the same queues; SNS's and STS's form-encoded requests still fauxqs's.
 */

let aws: EmbeddedAws;
let queueUrl: string;
beforeAll(async () => {
  aws = await startEmbeddedAws();
  ({ queueUrl } = await aws.createQueue("query-protocol", { VisibilityTimeout: "30" }));
});
afterAll(() => aws.stop());

/** A query request as an old client signs and sends it (the region comes from the signature's scope). */
async function query(params: Record<string, string>, path = "/"): Promise<{ status: number; xml: string }> {
  const response = await fetch(`${aws.endpoint}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      authorization:
        "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: new URLSearchParams({ Version: "2012-11-05", ...params }).toString(),
  });
  return { status: response.status, xml: await response.text() };
}

/** Every `<name>` element's text, as an XML parser gives it (the references the server writes undone). */
function texts(xml: string, name: string): string[] {
  const unreferenced = (text: string) =>
    text.replace(/&#xD;/g, "\r").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, "g"))].map((match) =>
    unreferenced(match[1] ?? ""),
  );
}
const text = (xml: string, name: string) => texts(xml, name)[0];
const elements = (xml: string, name: string) =>
  [...xml.matchAll(new RegExp(`<${name}>(.*?)</${name}>`, "gs"))].map((match) => match[1] ?? "");

const md5 = (value: string) => createHash("md5").update(value, "utf8").digest("hex");
const BODY = 'line one\r\nline two <b>&amp; "quoted" é ✓';

describe("a queue's life in the query protocol", () => {
  it("GetQueueUrl names the queue local mode created, a URL its endpoint answers", async () => {
    const { status, xml } = await query({ Action: "GetQueueUrl", QueueName: "query-protocol" });
    expect(status).toBe(200);
    expect(xml).toMatch(
      /^<\?xml[^>]*>\n<GetQueueUrlResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/">/,
    );
    expect(text(xml, "QueueUrl")).toBe(queueUrl);
    expect(text(xml, "RequestId")).toMatch(/^[\da-f-]{36}$/);
  });

  it("SendMessage with attributes, answered with the MD5s of its body and attributes", async () => {
    const { status, xml } = await query({
      Action: "SendMessage",
      QueueUrl: queueUrl,
      MessageBody: BODY,
      "MessageAttribute.1.Name": "city",
      "MessageAttribute.1.Value.DataType": "String",
      "MessageAttribute.1.Value.StringValue": "Paris",
      "MessageAttribute.2.Name": "blob",
      "MessageAttribute.2.Value.DataType": "Binary",
      "MessageAttribute.2.Value.BinaryValue": Buffer.from([0, 1, 2]).toString("base64"),
    });
    expect(status).toBe(200);
    expect(text(xml, "MD5OfMessageBody")).toBe(md5(BODY));
    expect(text(xml, "MD5OfMessageAttributes")).toBe(
      attributesMd5([
        ["blob", "Binary", 2, Buffer.from([0, 1, 2])],
        ["city", "String", 1, Buffer.from("Paris")],
      ]),
    );
    expect(text(xml, "MessageId")).toMatch(/^[\da-f-]{36}$/);
  });

  it("SendMessageBatch, each entry answered by its id; a bad one among them as a BatchResultErrorEntry", async () => {
    const { xml } = await query({
      Action: "SendMessageBatch",
      QueueUrl: queueUrl,
      "SendMessageBatchRequestEntry.1.Id": "first",
      "SendMessageBatchRequestEntry.1.MessageBody": "batched one",
      "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name": "n",
      "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType": "Number",
      "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue": "42",
      "SendMessageBatchRequestEntry.2.Id": "second",
      "SendMessageBatchRequestEntry.2.MessageBody": "batched two",
      "SendMessageBatchRequestEntry.3.Id": "third",
      "SendMessageBatchRequestEntry.3.MessageBody": "control \u0001 character",
    });
    const successes = elements(xml, "SendMessageBatchResultEntry");
    expect(successes.map((entry) => text(entry, "Id"))).toEqual(["first", "second"]);
    expect(successes.map((entry) => text(entry, "MD5OfMessageBody"))).toEqual([
      md5("batched one"),
      md5("batched two"),
    ]);
    const [failure = ""] = elements(xml, "BatchResultErrorEntry");
    expect([text(failure, "Id"), text(failure, "SenderFault"), text(failure, "Code")]).toEqual([
      "third",
      "true",
      "InvalidMessageContents",
    ]);
  });

  let receipts: Map<string, string>;

  it("ReceiveMessage with system and message attributes: every body as sent, its MD5s right", async () => {
    const { xml } = await query({
      Action: "ReceiveMessage",
      QueueUrl: queueUrl,
      MaxNumberOfMessages: "10",
      WaitTimeSeconds: "1",
      "AttributeName.1": "All",
      "MessageAttributeName.1": "All",
    });
    const messages = elements(xml, "Message");
    expect(messages.map((message) => text(message, "Body")).sort()).toEqual(
      [BODY, "batched one", "batched two"].sort(),
    );
    for (const message of messages) {
      expect(text(message, "MD5OfBody")).toBe(md5(text(message, "Body") ?? ""));
      expect(texts(message, "Name")).toContain("ApproximateReceiveCount");
    }
    const sent = messages.find((message) => text(message, "Body") === BODY) ?? "";
    const attributes = elements(sent, "MessageAttribute");
    expect(attributes.map((attribute) => text(attribute, "Name"))).toEqual(["city", "blob"]);
    expect(text(attributes[1] ?? "", "BinaryValue")).toBe("AAEC");
    expect(text(sent, "MD5OfMessageAttributes")).toBe(
      attributesMd5([
        ["blob", "Binary", 2, Buffer.from([0, 1, 2])],
        ["city", "String", 1, Buffer.from("Paris")],
      ]),
    );
    receipts = new Map(
      messages.map((message) => [text(message, "Body") ?? "", text(message, "ReceiptHandle") ?? ""]),
    );
  });

  it("ChangeMessageVisibility makes a message visible again at once", async () => {
    const { status, xml } = await query({
      Action: "ChangeMessageVisibility",
      QueueUrl: queueUrl,
      ReceiptHandle: receipts.get("batched two") ?? "",
      VisibilityTimeout: "0",
    });
    expect(status).toBe(200);
    expect(xml).toMatch(/<ChangeMessageVisibilityResponse [^>]*><ResponseMetadata>/);
    const again = await query({ Action: "ReceiveMessage", QueueUrl: queueUrl, WaitTimeSeconds: "1" });
    expect(texts(again.xml, "Body")).toEqual(["batched two"]);
    receipts.set("batched two", text(again.xml, "ReceiptHandle") ?? "");
  });

  it("DeleteMessage, and DeleteMessageBatch answered by id", async () => {
    const single = await query({
      Action: "DeleteMessage",
      QueueUrl: queueUrl,
      ReceiptHandle: receipts.get(BODY) ?? "",
    });
    expect(single.status).toBe(200);
    const { xml } = await query({
      Action: "DeleteMessageBatch",
      QueueUrl: queueUrl,
      "DeleteMessageBatchRequestEntry.1.Id": "one",
      "DeleteMessageBatchRequestEntry.1.ReceiptHandle": receipts.get("batched one") ?? "",
      "DeleteMessageBatchRequestEntry.2.Id": "two",
      "DeleteMessageBatchRequestEntry.2.ReceiptHandle": receipts.get("batched two") ?? "",
    });
    expect(elements(xml, "DeleteMessageBatchResultEntry").map((entry) => text(entry, "Id"))).toEqual([
      "one",
      "two",
    ]);
    expect(elements(xml, "BatchResultErrorEntry")).toEqual([]);
  });

  it("GetQueueAttributes: the queue is empty, as the JSON protocol sees it too", async () => {
    const { xml } = await query({
      Action: "GetQueueAttributes",
      QueueUrl: queueUrl,
      "AttributeName.1": "ApproximateNumberOfMessages",
      "AttributeName.2": "ApproximateNumberOfMessagesNotVisible",
      "AttributeName.3": "VisibilityTimeout",
    });
    const attributes = Object.fromEntries(
      elements(xml, "Attribute").map((attribute) => [text(attribute, "Name"), text(attribute, "Value")]),
    );
    expect(attributes).toEqual({
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "0",
      VisibilityTimeout: "30",
    });
    const { Attributes } = await aws.client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe("0");
  });
});

describe("the rest of what the query protocol carries", () => {
  it("a message the SDK v3 sent, received by a query client", async () => {
    const { queueUrl: url } = await aws.createQueue("query-and-json");
    await aws.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "from JSON" }));
    const { xml } = await query({ Action: "ReceiveMessage", QueueUrl: url });
    expect(texts(xml, "Body")).toEqual(["from JSON"]);
  });

  it("a request posted to the queue URL's path, naming no QueueUrl (the Java SDK v1's way)", async () => {
    const { queueUrl: url } = await aws.createQueue("query-by-path");
    const sent = await query({ Action: "SendMessage", MessageBody: "by path" }, new URL(url).pathname);
    expect(sent.status).toBe(200);
    const { xml } = await query({ Action: "ReceiveMessage", QueueUrl: url });
    expect(texts(xml, "Body")).toEqual(["by path"]);
  });

  it("CreateQueue, tags and ListQueues", async () => {
    const created = await query({
      Action: "CreateQueue",
      QueueName: "query-created",
      "Attribute.1.Name": "DelaySeconds",
      "Attribute.1.Value": "2",
    });
    const url = text(created.xml, "QueueUrl") ?? "";
    expect(url).toBe(`${aws.endpoint}/000000000000/query-created`);
    await query({ Action: "TagQueue", QueueUrl: url, "Tag.1.Key": "team", "Tag.1.Value": "orders" });
    const tags = await query({ Action: "ListQueueTags", QueueUrl: url });
    expect(elements(tags.xml, "Tag")).toEqual(["<Key>team</Key><Value>orders</Value>"]);
    const listed = await query({ Action: "ListQueues", QueueNamePrefix: "query-c" });
    expect(texts(listed.xml, "QueueUrl")).toEqual([url]);
  });

  it.each([
    [{ Action: "Nope" }, 400, "InvalidAction"],
    [{ Action: "GetQueueUrl", QueueName: "no-such-queue" }, 400, "AWS.SimpleQueueService.NonExistentQueue"],
    [
      // fauxqs finds a queue by its URL's path, whatever its host.
      {
        Action: "ReceiveMessage",
        QueueUrl: "http://x/000000000000/query-protocol",
        MaxNumberOfMessages: "11",
      },
      400,
      "InvalidParameterValue",
    ],
    [{ Action: "SendMessage", QueueUrl: "q" }, 400, "MissingParameter"],
  ])("an error as SQS's ErrorResponse: %o", async (params, status, code) => {
    const answer = await query(params);
    expect(answer.status).toBe(status);
    expect(answer.xml).toMatch(
      new RegExp(
        `<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>${code}</Code><Message>[^<]+</Message><Detail/></Error><RequestId>[\\da-f-]{36}</RequestId></ErrorResponse>$`,
      ),
    );
  });

  it("leaves SNS's and STS's form-encoded requests to fauxqs", async () => {
    const topics = await query({ Action: "ListTopics", Version: "2010-03-31" });
    expect(topics.status).toBe(200);
    expect(topics.xml).toContain("<ListTopicsResponse");
    const identity = await query({ Action: "GetCallerIdentity", Version: "2011-06-15" });
    expect(identity.xml).toContain("<GetCallerIdentityResponse");
  });
});

/** SQS's MD5 of message attributes, by its documented encoding: [name, data type, transport type, value]. */
function attributesMd5(attributes: [string, string, 1 | 2, Buffer][]): string {
  const hash = createHash("md5");
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  };
  for (const [name, dataType, transport, value] of attributes) {
    field(Buffer.from(name));
    field(Buffer.from(dataType));
    hash.update(Buffer.from([transport]));
    field(value);
  }
  return hash.digest("hex");
}

describe("a binary attribute that is not base64", () => {
  // Stored, it would fail every client that receives it (the SDK cannot decode it).
  const attribute = { DataType: "Binary", BinaryValue: "not base64!" };

  it("is refused in the JSON protocol", async () => {
    const raw = await fetch(aws.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "AmazonSQS.SendMessage",
        authorization:
          "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
      },
      body: JSON.stringify({ QueueUrl: queueUrl, MessageBody: "x", MessageAttributes: { blob: attribute } }),
    });
    expect(raw.status).toBe(400);
    expect(await raw.text()).toContain("must be base64 text");
  });

  it("is refused in the query protocol", async () => {
    const sent = await query({
      Action: "SendMessage",
      QueueUrl: queueUrl,
      MessageBody: "x",
      "MessageAttribute.1.Name": "blob",
      "MessageAttribute.1.Value.DataType": "Binary",
      "MessageAttribute.1.Value.BinaryValue": attribute.BinaryValue,
    });
    expect(sent.status).toBe(400);
    expect(sent.xml).toContain("must be base64 text");
  });
});
