/**
 * SQS's query protocol (form-encoded `Action=...&Version=2012-11-05` requests, XML answers), as
 * boto3 before 1.29 (Debian 12's python3-boto3), the AWS CLI v1 and the Java SDK v1 speak it,
 * translated to and from the JSON protocol the embedded server (fauxqs) serves. One table, from
 * botocore's query model of SQS (service-2.json of 2012-11-05), says for each action how its
 * input and output are written in both; the same table checks a JSON request's member types
 * before fauxqs sees them. Pure: local/aws-server.ts does the HTTP.
 */

/** A value's shape; `names` are a list's or map's query and XML names (the first is the one written). */
type Shape = (
  | { kind: "string" | "boolean" }
  /** Bytes, written as base64 text in both protocols. */
  | { kind: "blob" }
  | { kind: "integer"; min?: number; max?: number }
  | { kind: "list"; names: readonly string[]; member: Shape }
  | { kind: "map"; names: readonly string[]; key: string; value: string; of: Shape }
  | { kind: "structure"; members: Members }
) & { required?: boolean };

/** A structure's members by JSON name. In the query protocol a scalar keeps its name. */
type Members = Readonly<Record<string, Shape>>;

const STRING: Shape = { kind: "string" };
const INTEGER: Shape = { kind: "integer" };
const BOOLEAN: Shape = { kind: "boolean" };
const BLOB: Shape = { kind: "blob" };
/** SQS's lists and maps are all "flattened": `Name.1`, `Name.2`, or `Name.1.Key` and `Name.1.Value`. */
const list = (names: string | readonly string[], member: Shape = STRING): Shape => ({
  kind: "list",
  names: typeof names === "string" ? [names] : names,
  member,
});
const map = (
  names: string | readonly string[],
  [key, value]: [string, string],
  of: Shape = STRING,
): Shape => ({
  kind: "map",
  names: typeof names === "string" ? [names] : names,
  key,
  value,
  of,
});
const structure = (members: Members): Shape => ({ kind: "structure", members });
/** A member SQS's model requires: fauxqs, given none, fails on some (a message attribute's DataType). */
const required = (shape: Shape): Shape => ({ ...shape, required: true });

const ATTRIBUTE_VALUE = structure({
  StringValue: STRING,
  BinaryValue: BLOB,
  StringListValues: list("StringListValue"),
  BinaryListValues: list("BinaryListValue", BLOB),
  DataType: required(STRING),
});
const MESSAGE_ATTRIBUTES = map("MessageAttribute", ["Name", "Value"], ATTRIBUTE_VALUE);
const QUEUE_ATTRIBUTES = map("Attribute", ["Name", "Value"]);
// AWS's documentation writes Tag.N; botocore's model, with no name for TagQueue's, writes Tags.N.
const TAGS = map(["Tag", "Tags"], ["Key", "Value"]);
const QUEUE: Members = { QueueUrl: required(STRING) };
const MESSAGE: Members = {
  MessageBody: required(STRING),
  DelaySeconds: INTEGER,
  MessageAttributes: MESSAGE_ATTRIBUTES,
  MessageSystemAttributes: map("MessageSystemAttribute", ["Name", "Value"], ATTRIBUTE_VALUE),
  MessageDeduplicationId: STRING,
  MessageGroupId: STRING,
};
const SENT: Members = {
  MessageId: STRING,
  MD5OfMessageBody: STRING,
  MD5OfMessageAttributes: STRING,
  MD5OfMessageSystemAttributes: STRING,
  SequenceNumber: STRING,
};
const RECEIVED = structure({
  MessageId: STRING,
  ReceiptHandle: STRING,
  MD5OfBody: STRING,
  Body: STRING,
  Attributes: map("Attribute", ["Name", "Value"]),
  MD5OfMessageAttributes: STRING,
  MessageAttributes: MESSAGE_ATTRIBUTES,
});
const RECEIPT: Members = { Id: required(STRING), ReceiptHandle: required(STRING) };
/** A batch action's answer: its successes under `entry`, its failures as BatchResultErrorEntry. */
const batchResult = (entry: string, members: Members): Members => ({
  Successful: list(entry, structure(members)),
  Failed: list(
    "BatchResultErrorEntry",
    structure({ Id: STRING, SenderFault: BOOLEAN, Code: STRING, Message: STRING }),
  ),
});

/** Every action fauxqs's SQS serves: its input's members and, when it answers more than nothing, its output's. */
const ACTIONS: Readonly<Record<string, { input: Members; output?: Members }>> = {
  CreateQueue: {
    input: { QueueName: required(STRING), Attributes: QUEUE_ATTRIBUTES, tags: TAGS },
    output: { QueueUrl: STRING },
  },
  DeleteQueue: { input: QUEUE },
  GetQueueUrl: {
    input: { QueueName: required(STRING), QueueOwnerAWSAccountId: STRING },
    output: { QueueUrl: STRING },
  },
  ListQueues: {
    input: { QueueNamePrefix: STRING, NextToken: STRING, MaxResults: { kind: "integer", min: 1, max: 1000 } },
    output: { QueueUrls: list("QueueUrl"), NextToken: STRING },
  },
  GetQueueAttributes: {
    input: { ...QUEUE, AttributeNames: list("AttributeName") },
    output: { Attributes: QUEUE_ATTRIBUTES },
  },
  SetQueueAttributes: { input: { ...QUEUE, Attributes: required(QUEUE_ATTRIBUTES) } },
  PurgeQueue: { input: QUEUE },
  SendMessage: { input: { ...QUEUE, ...MESSAGE }, output: SENT },
  SendMessageBatch: {
    input: {
      ...QUEUE,
      Entries: required(
        list("SendMessageBatchRequestEntry", structure({ Id: required(STRING), ...MESSAGE })),
      ),
    },
    output: batchResult("SendMessageBatchResultEntry", { Id: STRING, ...SENT }),
  },
  ReceiveMessage: {
    input: {
      ...QUEUE,
      AttributeNames: list("AttributeName"),
      MessageSystemAttributeNames: list("MessageSystemAttributeName"),
      MessageAttributeNames: list("MessageAttributeName"),
      MaxNumberOfMessages: INTEGER,
      VisibilityTimeout: INTEGER,
      WaitTimeSeconds: INTEGER,
      ReceiveRequestAttemptId: STRING,
    },
    output: { Messages: list("Message", RECEIVED) },
  },
  DeleteMessage: { input: { ...QUEUE, ReceiptHandle: required(STRING) } },
  DeleteMessageBatch: {
    input: { ...QUEUE, Entries: required(list("DeleteMessageBatchRequestEntry", structure(RECEIPT))) },
    output: batchResult("DeleteMessageBatchResultEntry", { Id: STRING }),
  },
  ChangeMessageVisibility: {
    input: { ...QUEUE, ReceiptHandle: required(STRING), VisibilityTimeout: required(INTEGER) },
  },
  ChangeMessageVisibilityBatch: {
    input: {
      ...QUEUE,
      Entries: required(
        list(
          "ChangeMessageVisibilityBatchRequestEntry",
          structure({ ...RECEIPT, VisibilityTimeout: INTEGER }),
        ),
      ),
    },
    output: batchResult("ChangeMessageVisibilityBatchResultEntry", { Id: STRING }),
  },
  TagQueue: { input: { ...QUEUE, Tags: required(TAGS) } },
  UntagQueue: { input: { ...QUEUE, TagKeys: required(list("TagKey")) } },
  ListQueueTags: { input: QUEUE, output: { Tags: TAGS } },
};

/** The query protocol's API version for SQS: what tells its requests from SNS's and STS's. */
const SQS_QUERY_VERSION = "2012-11-05";
const NAMESPACE = `http://queue.amazonaws.com/doc/${SQS_QUERY_VERSION}/`;

/** A request the translation refuses, answered as the query protocol's error. */
export class QueryProtocolError extends Error {
  override name = "QueryProtocolError";
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Whether a form-encoded request is SQS's (not SNS's or STS's, which share the content type). */
export function isSqsQueryRequest(params: Readonly<Record<string, string>>, path: string): boolean {
  const action = params.Action ?? "";
  return params.Version === SQS_QUERY_VERSION || Object.hasOwn(ACTIONS, action) || queuePath(path);
}

/** `/000000000000/orders` (the queue URL's path, where the Java SDK v1 posts): the queue's name. */
function queuePath(path: string): boolean {
  return /^\/\d{12}\/[\w-]{1,80}(?:\.fifo)?\/?$/.test(path);
}

/**
 * A query-protocol request as the JSON protocol's action and input. A request posted to a queue
 * URL's path names its queue by the path (`queueUrl`) when it has no QueueUrl parameter.
 */
export function queryToJson(
  params: Readonly<Record<string, string>>,
  queueUrl: string | undefined,
): { action: string; input: Record<string, unknown> } {
  const action = params.Action;
  if (!action)
    throw new QueryProtocolError("MissingAction", "The request must contain the parameter Action.");
  const spec = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (!spec)
    throw new QueryProtocolError("InvalidAction", `The action ${action} is not valid for this endpoint.`);
  const read = new QueryReader(params);
  const input = read.members(spec.input, "");
  if (spec.input.QueueUrl && input.QueueUrl === undefined && queueUrl) input.QueueUrl = queueUrl;
  return { action, input };
}

/** Reads a shape from flat query parameters, by the names the table gives. */
class QueryReader {
  /** Every name and every dotted prefix of one: whether anything is under `Name.3`, at once. */
  private readonly prefixes = new Set<string>();

  private readonly params: Readonly<Record<string, string>>;

  constructor(params: Readonly<Record<string, string>>) {
    this.params = params;
    for (const name of Object.keys(params)) {
      for (let dot = name.indexOf("."); dot !== -1; dot = name.indexOf(".", dot + 1))
        this.prefixes.add(name.slice(0, dot));
      this.prefixes.add(name);
    }
  }

  members(members: Members, prefix: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, shape] of Object.entries(members)) {
      const value = this.read(shape, prefix, name);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  private read(shape: Shape, prefix: string, name: string): unknown {
    if (shape.kind === "list" || shape.kind === "map") {
      const found = shape.names.map((n) => `${prefix}${n}`).find((path) => this.prefixes.has(`${path}.1`));
      if (found === undefined) return undefined;
      return shape.kind === "list" ? this.list(shape.member, found) : this.map(shape, found);
    }
    const path = `${prefix}${name}`;
    if (shape.kind === "structure")
      return this.prefixes.has(path) ? this.members(shape.members, `${path}.`) : undefined;
    const text = Object.hasOwn(this.params, path) ? this.params[path] : undefined;
    if (text === undefined || shape.kind === "string" || shape.kind === "blob") return text;
    if (shape.kind === "boolean") return text === "true";
    if (!/^-?\d{1,15}$/.test(text))
      throw new QueryProtocolError(
        "InvalidParameterValue",
        `Value ${text} for parameter ${name} is invalid. Reason: must be an integer.`,
      );
    return Number(text);
  }

  /** `Name.1`, `Name.2`, ... up to the first number missing. */
  private list(member: Shape, path: string): unknown[] {
    const items: unknown[] = [];
    for (let n = 1; this.prefixes.has(`${path}.${n}`); n++) {
      items.push(
        member.kind === "structure"
          ? this.members(member.members, `${path}.${n}.`)
          : this.read(member, "", `${path}.${n}`),
      );
    }
    return items;
  }

  private map(shape: Extract<Shape, { kind: "map" }>, path: string): Record<string, unknown> {
    const entries: [string, unknown][] = [];
    for (let n = 1; this.prefixes.has(`${path}.${n}`); n++) {
      const key = this.params[`${path}.${n}.${shape.key}`];
      if (key === undefined)
        throw new QueryProtocolError(
          "MissingParameter",
          `The request must contain the parameter ${path}.${n}.${shape.key}.`,
        );
      entries.push([key, this.read(shape.of, `${path}.${n}.`, shape.value)]);
    }
    return Object.fromEntries(entries); // own properties, whatever the names (__proto__ too)
  }
}

/** The query protocol's answer to `action`, from the JSON protocol's (`output`, fauxqs's answer). */
export function jsonToQueryXml(action: string, output: unknown, requestId: string): string {
  const spec = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  const result = spec?.output
    ? `<${action}Result>${writeMembers(spec.output, output)}</${action}Result>`
    : "";
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NAMESPACE}">${result}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

/**
 * The query protocol's code for a JSON-protocol error type (`com.amazonaws.sqs#QueueDoesNotExist`):
 * the code botocore's query model gives it where it names one, else the type's own name.
 */
export function queryErrorCode(type: string): string {
  const name = type.replace(/^.*#/, "");
  if (name === "QueueDoesNotExist") return "AWS.SimpleQueueService.NonExistentQueue";
  if (name === "QueueNameExists") return "QueueAlreadyExists";
  return PREFIXED_CODES.has(name) ? `AWS.SimpleQueueService.${name}` : name;
}

const PREFIXED_CODES = new Set([
  "BatchEntryIdsNotDistinct",
  "BatchRequestTooLong",
  "EmptyBatchRequest",
  "InvalidBatchEntryId",
  "MessageNotInflight",
  "PurgeQueueInProgress",
  "QueueDeletedRecently",
  "TooManyEntriesInBatchRequest",
  "UnsupportedOperation",
]);

/** The query protocol's error answer (`fault`: whether the caller or the service is to blame). */
export function queryErrorXml(
  code: string,
  message: string,
  requestId: string,
  fault: "Sender" | "Receiver" = "Sender",
): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${fault}</Type>` +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><Detail/></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

function writeMembers(members: Members, value: unknown): string {
  if (!isObject(value)) return "";
  let xml = "";
  for (const [name, shape] of Object.entries(members)) {
    const member = value[name];
    if (member !== undefined && member !== null) xml += write(shape, name, member);
  }
  return xml;
}

function write(shape: Shape, name: string, value: unknown): string {
  switch (shape.kind) {
    case "list": {
      const element = shape.names[0] ?? name;
      return Array.isArray(value) ? value.map((item) => write(shape.member, element, item)).join("") : "";
    }
    case "map": {
      if (!isObject(value)) return "";
      const element = shape.names[0] ?? name;
      return Object.entries(value)
        .map(
          ([key, item]) =>
            `<${element}><${shape.key}>${escapeXml(key)}</${shape.key}>${write(shape.of, shape.value, item)}</${element}>`,
        )
        .join("");
    }
    case "structure":
      return `<${name}>${writeMembers(shape.members, value)}</${name}>`;
    default:
      return `<${name}>${escapeXml(String(value))}</${name}>`;
  }
}

/**
 * XML text. A carriage return is written as a reference: an XML parser turns a literal one into
 * a line feed, and the body would no longer match its MD5.
 */
function escapeXml(text: string): string {
  return text.replace(/[&<>\r]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#xD;",
  );
}

/** What is wrong with a request, as SQS's error code and message. */
export interface InputProblem {
  code: "SerializationException" | "MissingParameter" | "InvalidParameterValue";
  message: string;
}

/**
 * What is wrong with a JSON-protocol request's members by SQS's model (a type, a required
 * member, a range fauxqs does not check), or undefined; also for an action not in the table:
 * fauxqs answers that one.
 */
export function jsonInputProblem(action: string, input: unknown): InputProblem | undefined {
  const spec = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (!spec) return undefined;
  return check(structure(spec.input), input, action);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function check(shape: Shape, value: unknown, path: string): InputProblem | undefined {
  const mistyped = (what: string): InputProblem => ({
    code: "SerializationException",
    message: `${path} must be ${what}`,
  });
  const problems = (items: Iterable<[string, Shape, unknown]>) => {
    for (const [itemPath, itemShape, item] of items) {
      const problem = check(itemShape, item, itemPath);
      if (problem) return problem;
    }
    return undefined;
  };
  switch (shape.kind) {
    case "string":
    case "boolean":
      return typeof value === shape.kind ? undefined : mistyped(`a ${shape.kind}`);
    case "blob":
      // A blob that is not base64 would be stored, then fail every client that receives it.
      return typeof value === "string" && BASE64.test(value) ? undefined : mistyped("base64 text");
    case "integer":
      if (!Number.isSafeInteger(value)) return mistyped("an integer");
      return (value as number) < (shape.min ?? -Infinity) || (value as number) > (shape.max ?? Infinity)
        ? {
            code: "InvalidParameterValue",
            message: `Value ${value} for parameter ${path} is invalid. Reason: must be between ${shape.min} and ${shape.max}.`,
          }
        : undefined;
    case "list":
      if (!Array.isArray(value)) return mistyped("a list");
      return problems(value.map((item, index) => [`${path}[${index}]`, shape.member, item]));
    case "map":
      if (!isObject(value)) return mistyped("a map");
      return problems(Object.entries(value).map(([key, item]) => [`${path}.${key}`, shape.of, item]));
    case "structure":
      if (!isObject(value)) return mistyped("a structure");
      return (
        checkMembers(shape.members, value, path) ??
        problems(
          Object.entries(shape.members)
            .filter(([name]) => value[name] !== undefined && value[name] !== null)
            .map(([name, member]) => [`${path}.${name}`, member, value[name]]),
        )
      );
  }
}

/** A required member missing (one given as null is one not given). */
function checkMembers(
  members: Members,
  value: Record<string, unknown>,
  path: string,
): InputProblem | undefined {
  for (const [name, member] of Object.entries(members)) {
    if (member.required && (value[name] === undefined || value[name] === null))
      return { code: "MissingParameter", message: `The request must contain the parameter ${path}.${name}.` };
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
