import type { App, Request } from "./aws-server-http.ts";

/**
 * SQS's `AWSTraceHeader`, which fauxqs does not keep: a message sent with a trace context (the
 * SDK's `X-Amzn-Trace-Id` header, which its recursion-detection middleware sets inside a function
 * from `_X_AMZN_TRACE_ID`, or the message's own `AWSTraceHeader` system attribute) is received
 * with it as the system attribute `AWSTraceHeader`, as SQS does. It travels inside fauxqs as a
 * message attribute of local mode's own, which no client ever sees: taken out of every answer,
 * and the attributes' MD5s are those of the client's own attributes.
 * (JSON protocol at `/`, what the AWS SDK v3 sends; not the query protocol.)
 */

const CARRIER = "LocalMode.AWSTraceHeader";

interface Attribute {
  DataType: string;
  StringValue?: string;
}
interface Entry {
  Id?: string;
  MessageAttributes?: Record<string, Attribute>;
  MessageSystemAttributes?: { AWSTraceHeader?: Attribute };
}
interface Received {
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<string, Attribute>;
  MD5OfMessageAttributes?: string;
}

/**
 * Fastify's hooks in their callback form: they finish in the same tick. An async onSend hook
 * more would leave an async route that answered with `reply.send()` (fauxqs's S3 PutObject)
 * unsent when its handler's promise settles, and Fastify would send it a second time.
 */
interface CallbackHooks {
  addHook(name: "preHandler", hook: (request: Request, reply: unknown, done: () => void) => void): void;
  addHook(
    name: "onSend",
    hook: (
      request: Request,
      reply: unknown,
      payload: unknown,
      done: (error: null, payload: unknown) => void,
    ) => void,
  ): void;
}

export function keepTraceHeaders(fastify: App, md5OfAttributes: (attributes: object) => string): void {
  const app = fastify as unknown as CallbackHooks;
  /** The client's own attributes of each entry a send carried a trace in, by entry id. */
  const sent = new WeakMap<Request, Map<string, Record<string, Attribute> | undefined>>();
  const systemNamesAsked = new WeakSet<Request>();
  app.addHook("preHandler", (request, _reply, done) => {
    noteTraceHeaders(request);
    done();
  });
  function noteTraceHeaders(request: Request): void {
    const action = String(request.headers["x-amz-target"] ?? "");
    const body = request.body as
      | (Entry & { Entries?: Entry[]; MessageSystemAttributeNames?: string[] })
      | null;
    if (typeof body !== "object" || body === null || request.routeOptions.url !== "/") return;
    if (action === "AmazonSQS.ReceiveMessage") {
      const names = [
        ...(body.MessageSystemAttributeNames ?? []),
        ...((body as { AttributeNames?: string[] }).AttributeNames ?? []),
      ];
      if (names.includes("All") || names.includes("AWSTraceHeader")) systemNamesAsked.add(request);
      return;
    }
    const entries =
      action === "AmazonSQS.SendMessage"
        ? [body]
        : action === "AmazonSQS.SendMessageBatch"
          ? (body.Entries ?? [])
          : [];
    const header = request.headers["x-amzn-trace-id"];
    const own = new Map<string, Record<string, Attribute> | undefined>();
    for (const entry of entries) {
      const trace = entry.MessageSystemAttributes?.AWSTraceHeader?.StringValue ?? header;
      delete entry.MessageSystemAttributes;
      if (typeof trace !== "string" || trace === "") continue;
      own.set(entry.Id ?? "", entry.MessageAttributes);
      entry.MessageAttributes = {
        ...entry.MessageAttributes,
        [CARRIER]: { DataType: "String", StringValue: trace },
      };
    }
    if (own.size > 0) sent.set(request, own);
  }
  app.addHook("onSend", (request, _reply, payload, done) => {
    const own = sent.get(request);
    if (typeof payload !== "string") done(null, payload);
    else if (own) done(null, withClientDigests(payload, own, md5OfAttributes));
    else if (payload.includes(CARRIER))
      done(null, withTraceHeaders(payload, systemNamesAsked.has(request), md5OfAttributes));
    else done(null, payload);
  });
}

/** A send's answer with the MD5s of the attributes the client sent, not of those with the carrier. */
function withClientDigests(
  payload: string,
  own: Map<string, Record<string, Attribute> | undefined>,
  md5OfAttributes: (attributes: object) => string,
): string {
  const answer = JSON.parse(payload) as {
    MD5OfMessageAttributes?: string;
    Successful?: (Received & { Id: string })[];
  };
  const digest = (target: { MD5OfMessageAttributes?: string }, attributes: object | undefined) => {
    if (attributes && Object.keys(attributes).length > 0)
      target.MD5OfMessageAttributes = md5OfAttributes(attributes);
    else delete target.MD5OfMessageAttributes;
  };
  if (answer.Successful) {
    for (const entry of answer.Successful) if (own.has(entry.Id)) digest(entry, own.get(entry.Id));
  } else if (own.has("")) digest(answer, own.get(""));
  return JSON.stringify(answer);
}

/** Received messages with the carrier taken out, and given as `AWSTraceHeader` when asked for. */
function withTraceHeaders(
  payload: string,
  asked: boolean,
  md5OfAttributes: (attributes: object) => string,
): string {
  const answer = JSON.parse(payload) as { Messages?: Received[] };
  for (const message of answer.Messages ?? []) {
    const carried = message.MessageAttributes?.[CARRIER];
    if (!carried || !message.MessageAttributes) continue;
    delete message.MessageAttributes[CARRIER];
    if (asked && carried.StringValue)
      message.Attributes = { ...message.Attributes, AWSTraceHeader: carried.StringValue };
    if (Object.keys(message.MessageAttributes).length > 0)
      message.MD5OfMessageAttributes = md5OfAttributes(message.MessageAttributes);
    else {
      delete message.MessageAttributes;
      delete message.MD5OfMessageAttributes;
    }
  }
  return JSON.stringify(answer);
}

/** The trace header a stored message carries (fauxqs's own message shape), for the console's peek. */
export function carriedTraceHeader(
  messageAttributes: Record<string, Attribute> | undefined,
): string | undefined {
  return messageAttributes?.[CARRIER]?.StringValue;
}

/** A stored message's attributes as a client sees them: without the carrier. */
export function clientAttributes(
  messageAttributes: Record<string, Attribute> | undefined,
): Record<string, Attribute> {
  const { [CARRIER]: _carrier, ...rest } = messageAttributes ?? {};
  return rest;
}
