import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isSqsQueryRequest,
  jsonInputProblem,
  jsonToQueryXml,
  QueryProtocolError,
  queryErrorCode,
  queryErrorXml,
  queryToJson,
} from "../../local/sqs-query-protocol";

/** SQS's query protocol as the JSON protocol's input, and the JSON protocol's answers as its XML. */

const QUEUE = "http://127.0.0.1:4566/000000000000/orders";
const form = (text: string) => Object.fromEntries(new URLSearchParams(text));

describe("queryToJson", () => {
  it("reads SendMessage's message attributes and system attributes, of every transport type", () => {
    const params = form(
      [
        `Action=SendMessage&Version=2012-11-05&QueueUrl=${encodeURIComponent(QUEUE)}&MessageBody=hello&DelaySeconds=5`,
        "MessageAttribute.1.Name=city&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=Paris",
        "MessageAttribute.2.Name=blob&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=AAE%3D",
        "MessageAttribute.3.Name=list&MessageAttribute.3.Value.DataType=String&MessageAttribute.3.Value.StringListValue.1=a&MessageAttribute.3.Value.StringListValue.2=b",
        "MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType=String&MessageSystemAttribute.1.Value.StringValue=Root%3D1",
      ].join("&"),
    );
    expect(queryToJson(params, undefined)).toEqual({
      action: "SendMessage",
      input: {
        QueueUrl: QUEUE,
        MessageBody: "hello",
        DelaySeconds: 5,
        MessageAttributes: {
          city: { DataType: "String", StringValue: "Paris" },
          blob: { DataType: "Binary", BinaryValue: "AAE=" },
          list: { DataType: "String", StringListValues: ["a", "b"] },
        },
        MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1" } },
      },
    });
  });

  it("reads a batch's entries, each with its own attributes", () => {
    const params = form(
      [
        `Action=SendMessageBatch&QueueUrl=${encodeURIComponent(QUEUE)}`,
        "SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one",
        "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=n&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=Number&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=7",
        "SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two&SendMessageBatchRequestEntry.2.DelaySeconds=3",
      ].join("&"),
    );
    expect(queryToJson(params, undefined).input).toEqual({
      QueueUrl: QUEUE,
      Entries: [
        {
          Id: "a",
          MessageBody: "one",
          MessageAttributes: { n: { DataType: "Number", StringValue: "7" } },
        },
        { Id: "b", MessageBody: "two", DelaySeconds: 3 },
      ],
    });
  });

  it.each([
    [
      "DeleteMessageBatch",
      "DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=r1",
      { Entries: [{ Id: "a", ReceiptHandle: "r1" }] },
    ],
    [
      "ChangeMessageVisibilityBatch",
      "ChangeMessageVisibilityBatchRequestEntry.1.Id=a&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=r1&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=0",
      { Entries: [{ Id: "a", ReceiptHandle: "r1", VisibilityTimeout: 0 }] },
    ],
    [
      "ReceiveMessage",
      "AttributeName.1=All&MessageSystemAttributeName.1=SentTimestamp&MessageAttributeName.1=city&MessageAttributeName.2=blob.*&MaxNumberOfMessages=10&WaitTimeSeconds=20&VisibilityTimeout=30",
      {
        AttributeNames: ["All"],
        MessageSystemAttributeNames: ["SentTimestamp"],
        MessageAttributeNames: ["city", "blob.*"],
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 20,
        VisibilityTimeout: 30,
      },
    ],
    [
      "GetQueueAttributes",
      "AttributeName.1=VisibilityTimeout&AttributeName.2=QueueArn",
      { AttributeNames: ["VisibilityTimeout", "QueueArn"] },
    ],
    [
      "SetQueueAttributes",
      "Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=60",
      { Attributes: { VisibilityTimeout: "60" } },
    ],
    [
      "ChangeMessageVisibility",
      "ReceiptHandle=r1&VisibilityTimeout=0",
      { ReceiptHandle: "r1", VisibilityTimeout: 0 },
    ],
    ["DeleteMessage", "ReceiptHandle=r%2B1", { ReceiptHandle: "r+1" }],
    // AWS's documentation writes Tag.N; botocore 1.29 writes Tags.N.
    ["TagQueue", "Tag.1.Key=team&Tag.1.Value=orders", { Tags: { team: "orders" } }],
    ["TagQueue", "Tags.1.Key=team&Tags.1.Value=orders", { Tags: { team: "orders" } }],
    ["UntagQueue", "TagKey.1=team", { TagKeys: ["team"] }],
  ])("reads %s's members (%s)", (action, members, expected) => {
    const { input } = queryToJson(form(`Action=${action}&QueueUrl=q&${members}`), undefined);
    expect(input).toEqual({ QueueUrl: "q", ...expected });
  });

  it("reads CreateQueue's attributes and tags, and ListQueues' and GetQueueUrl's members", () => {
    expect(
      queryToJson(
        form(
          "Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=1&Tag.1.Key=k&Tag.1.Value=v",
        ),
        undefined,
      ).input,
    ).toEqual({ QueueName: "q", Attributes: { DelaySeconds: "1" }, tags: { k: "v" } });
    expect(queryToJson(form("Action=ListQueues&QueueNamePrefix=or&MaxResults=5"), undefined).input).toEqual({
      QueueNamePrefix: "or",
      MaxResults: 5,
    });
    expect(queryToJson(form("Action=GetQueueUrl&QueueName=orders"), undefined).input).toEqual({
      QueueName: "orders",
    });
  });

  it("takes the queue from the path a request was posted to (the Java SDK v1's way) when it names none", () => {
    expect(queryToJson(form("Action=PurgeQueue"), QUEUE).input).toEqual({ QueueUrl: QUEUE });
    expect(queryToJson(form("Action=PurgeQueue&QueueUrl=given"), QUEUE).input).toEqual({ QueueUrl: "given" });
    expect(queryToJson(form("Action=ListQueues"), QUEUE).input).toEqual({});
  });

  it("reads a list up to its first missing number, and keeps any attribute name as a name", () => {
    const { input } = queryToJson(
      form("Action=GetQueueAttributes&AttributeName.1=a&AttributeName.2=b&AttributeName.4=d"),
      undefined,
    );
    expect(input.AttributeNames).toEqual(["a", "b"]);
    const odd = queryToJson(
      form(
        "Action=SetQueueAttributes&Attribute.1.Name=__proto__&Attribute.1.Value=x&Attribute.2.Name=toString&Attribute.2.Value=y",
      ),
      undefined,
    ).input.Attributes as Record<string, string>;
    expect(Object.getPrototypeOf(odd)).toBe(Object.prototype);
    expect(Object.entries(odd)).toEqual([
      ["__proto__", "x"],
      ["toString", "y"],
    ]);
  });

  it.each([
    ["Version=2012-11-05", "MissingAction"],
    ["Action=AddPermission", "InvalidAction"],
    ["Action=constructor", "InvalidAction"],
    ["Action=ReceiveMessage&MaxNumberOfMessages=ten", "InvalidParameterValue"],
    ["Action=ReceiveMessage&MaxNumberOfMessages=1e3", "InvalidParameterValue"],
    ["Action=SetQueueAttributes&Attribute.1.Value=60", "MissingParameter"],
  ])("refuses %s with %s", (text, code) => {
    expect(() => queryToJson(form(text), undefined)).toThrow(expect.objectContaining({ code }));
    expect(() => queryToJson(form(text), undefined)).toThrow(QueryProtocolError);
  });

  it("keeps any text a body or attribute may hold", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ minLength: 1 }), (body, value) => {
        const params = new URLSearchParams({
          Action: "SendMessage",
          QueueUrl: QUEUE,
          MessageBody: body,
          "MessageAttribute.1.Name": value,
          "MessageAttribute.1.Value.DataType": "String",
          "MessageAttribute.1.Value.StringValue": value,
        });
        const { input } = queryToJson(Object.fromEntries(params), undefined);
        expect(input.MessageBody).toBe(body);
        expect(input.MessageAttributes).toEqual({ [value]: { DataType: "String", StringValue: value } });
      }),
    );
  });
});

describe("isSqsQueryRequest", () => {
  it.each([
    [{ Action: "Anything", Version: "2012-11-05" }, "/", true],
    [{ Action: "SendMessage" }, "/", true],
    [{ Action: "Whatever" }, "/000000000000/orders", true],
    [{ Action: "Whatever" }, "/000000000000/orders.fifo/", true],
    [{ Action: "Publish", Version: "2010-03-31" }, "/", false], // SNS
    [{ Action: "GetCallerIdentity", Version: "2011-06-15" }, "/", false], // STS
    [{ Action: "Publish" }, "/bucket/key", false],
  ])("%o at %s: %s", (params, path, expected) => {
    expect(isSqsQueryRequest(params, path)).toBe(expected);
  });
});

describe("jsonToQueryXml", () => {
  const wrap = (action: string, result: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/">${result}<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></${action}Response>`;

  it("writes an action with no output as its response and the request id only", () => {
    expect(jsonToQueryXml("DeleteMessage", {}, "r1")).toBe(wrap("DeleteMessage", ""));
  });

  it("writes ReceiveMessage's messages, flattened, with their attributes and a body's every character", () => {
    const output = {
      Messages: [
        {
          MessageId: "m1",
          ReceiptHandle: "h1",
          MD5OfBody: "d1",
          Body: 'a\r\n<b>&"c"',
          Attributes: { SentTimestamp: "1", ApproximateReceiveCount: "2" },
          MD5OfMessageAttributes: "d2",
          MessageAttributes: {
            city: { DataType: "String", StringValue: "Paris" },
            list: { DataType: "String", StringListValues: ["x", "y"] },
          },
        },
        { MessageId: "m2", ReceiptHandle: "h2", MD5OfBody: "d3", Body: "two" },
      ],
    };
    expect(jsonToQueryXml("ReceiveMessage", output, "r1")).toBe(
      wrap(
        "ReceiveMessage",
        "<ReceiveMessageResult>" +
          "<Message><MessageId>m1</MessageId><ReceiptHandle>h1</ReceiptHandle><MD5OfBody>d1</MD5OfBody>" +
          '<Body>a&#xD;\n&lt;b&gt;&amp;"c"</Body>' +
          "<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>" +
          "<Attribute><Name>ApproximateReceiveCount</Name><Value>2</Value></Attribute>" +
          "<MD5OfMessageAttributes>d2</MD5OfMessageAttributes>" +
          "<MessageAttribute><Name>city</Name><Value><StringValue>Paris</StringValue><DataType>String</DataType></Value></MessageAttribute>" +
          "<MessageAttribute><Name>list</Name><Value><StringListValue>x</StringListValue><StringListValue>y</StringListValue><DataType>String</DataType></Value></MessageAttribute>" +
          "</Message>" +
          "<Message><MessageId>m2</MessageId><ReceiptHandle>h2</ReceiptHandle><MD5OfBody>d3</MD5OfBody><Body>two</Body></Message>" +
          "</ReceiveMessageResult>",
      ),
    );
  });

  it("writes an empty receive as an empty result", () => {
    expect(jsonToQueryXml("ReceiveMessage", {}, "r1")).toBe(
      wrap("ReceiveMessage", "<ReceiveMessageResult></ReceiveMessageResult>"),
    );
  });

  it("writes a batch's successes and failures", () => {
    const output = {
      Successful: [{ Id: "a", MessageId: "m1", MD5OfMessageBody: "d1" }],
      Failed: [{ Id: "b", SenderFault: true, Code: "InvalidMessageContents", Message: "bad <body>" }],
    };
    expect(jsonToQueryXml("SendMessageBatch", output, "r1")).toBe(
      wrap(
        "SendMessageBatch",
        "<SendMessageBatchResult>" +
          "<SendMessageBatchResultEntry><Id>a</Id><MessageId>m1</MessageId><MD5OfMessageBody>d1</MD5OfMessageBody></SendMessageBatchResultEntry>" +
          "<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>InvalidMessageContents</Code><Message>bad &lt;body&gt;</Message></BatchResultErrorEntry>" +
          "</SendMessageBatchResult>",
      ),
    );
  });

  it("writes maps and lists by their query names: queue attributes, tags, queue URLs", () => {
    expect(jsonToQueryXml("GetQueueAttributes", { Attributes: { DelaySeconds: "0" } }, "r1")).toContain(
      "<GetQueueAttributesResult><Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute></GetQueueAttributesResult>",
    );
    expect(jsonToQueryXml("ListQueueTags", { Tags: { team: "orders" } }, "r1")).toContain(
      "<ListQueueTagsResult><Tag><Key>team</Key><Value>orders</Value></Tag></ListQueueTagsResult>",
    );
    expect(jsonToQueryXml("ListQueues", { QueueUrls: ["u1", "u2"] }, "r1")).toContain(
      "<ListQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl></ListQueuesResult>",
    );
  });
});

it("queryErrorXml writes SQS's ErrorResponse, its text escaped", () => {
  expect(queryErrorXml("AWS.SimpleQueueService.NonExistentQueue", "no <queue> & none", "r1")).toBe(
    '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">' +
      "<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>" +
      "<Message>no &lt;queue&gt; &amp; none</Message><Detail/></Error><RequestId>r1</RequestId></ErrorResponse>",
  );
  expect(queryErrorXml("InternalFailure", "m", "r1", "Receiver")).toContain("<Type>Receiver</Type>");
});

it.each([
  ["com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"],
  ["com.amazonaws.sqs#QueueNameExists", "QueueAlreadyExists"],
  ["com.amazonaws.sqs#TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"],
  ["com.amazonaws.sqs#InvalidParameterValue", "InvalidParameterValue"],
  ["com.amazonaws.sqs#ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid"],
  ["MissingParameter", "MissingParameter"],
])("queryErrorCode: %s is %s (botocore's query model)", (type, code) => {
  expect(queryErrorCode(type)).toBe(code);
});

describe("jsonInputProblem", () => {
  it.each([
    [
      "SendMessage",
      { QueueUrl: "q", MessageBody: 5 },
      "SerializationException",
      "SendMessage.MessageBody must be a string",
    ],
    [
      "SendMessage",
      { QueueUrl: "q", MessageBody: "b", DelaySeconds: "5" },
      "SerializationException",
      "SendMessage.DelaySeconds must be an integer",
    ],
    [
      "SendMessage",
      { QueueUrl: "q", MessageBody: "b", MessageAttributes: [] },
      "SerializationException",
      "SendMessage.MessageAttributes must be a map",
    ],
    [
      "SendMessage",
      { QueueUrl: "q", MessageBody: "b", MessageAttributes: { a: { StringValue: "x" } } },
      "MissingParameter",
      "The request must contain the parameter SendMessage.MessageAttributes.a.DataType.",
    ],
    [
      "SendMessage",
      { QueueUrl: "q" },
      "MissingParameter",
      "The request must contain the parameter SendMessage.MessageBody.",
    ],
    [
      "SendMessageBatch",
      { QueueUrl: "q", Entries: [null] },
      "SerializationException",
      "SendMessageBatch.Entries[0] must be a structure",
    ],
    [
      "SendMessageBatch",
      { QueueUrl: "q", Entries: [{ Id: "a" }] },
      "MissingParameter",
      "The request must contain the parameter SendMessageBatch.Entries[0].MessageBody.",
    ],
    [
      "ReceiveMessage",
      { QueueUrl: "q", MessageAttributeNames: ["a", 1] },
      "SerializationException",
      "ReceiveMessage.MessageAttributeNames[1] must be a string",
    ],
    [
      "ReceiveMessage",
      { QueueUrl: { url: "q" } },
      "SerializationException",
      "ReceiveMessage.QueueUrl must be a string",
    ],
    [
      "ListQueues",
      { MaxResults: 1001 },
      "InvalidParameterValue",
      "Value 1001 for parameter ListQueues.MaxResults is invalid. Reason: must be between 1 and 1000.",
    ],
    [
      "ChangeMessageVisibility",
      { QueueUrl: "q", ReceiptHandle: "r", VisibilityTimeout: 1.5 },
      "SerializationException",
      "ChangeMessageVisibility.VisibilityTimeout must be an integer",
    ],
  ])("%s %j: %s", (action, input, code, message) => {
    expect(jsonInputProblem(action, input)).toEqual({ code, message });
  });

  it("passes what the SDK sends, members given as null, members it does not know, and actions not in the table", () => {
    expect(
      jsonInputProblem("SendMessageBatch", {
        QueueUrl: "q",
        Entries: [
          {
            Id: "a",
            MessageBody: "b",
            DelaySeconds: 0,
            MessageAttributes: { n: { DataType: "Number", StringValue: "1" } },
            MessageGroupId: null,
          },
        ],
        Unknown: { anything: true },
      }),
    ).toBeUndefined();
    expect(jsonInputProblem("StartMessageMoveTask", { SourceArn: 5 })).toBeUndefined();
  });
});
