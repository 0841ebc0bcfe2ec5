import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { type App, answerError, protocolOf, type Reply, type Request } from "./aws-server-http.ts";
import {
  isSqsQueryRequest,
  jsonInputProblem,
  jsonToQueryXml,
  QueryProtocolError,
  queryErrorCode,
  queryErrorXml,
  queryToJson,
} from "./sqs-query-protocol.ts";

/**
 * In front of fauxqs's SQS: a JSON request's members checked against SQS's model (fauxqs would
 * fail on a number where a string goes, as a 500), a query request translated, and a
 * ReceiveMessage that names some of the message attributes given their MD5 (fauxqs keeps all's).
 */
export function serveSqsProtocols(app: App, md5OfAttributes: (attributes: object) => string): void {
  const namesSomeAttributes = new WeakSet<object>();
  app.addHook("preHandler", async (request, reply) => {
    const protocol = protocolOf(request.headers);
    if (protocol === "query") return serveQueryProtocol(app, request, reply);
    if (protocol === "json") {
      const refused = checkJsonRequest(request, reply);
      if (refused) return refused;
      if (namesSomeOf(request.headers, request.body)) namesSomeAttributes.add(request);
      if (request.routeOptions.url !== "/") return forwardJson(app, request, reply);
      return;
    }
    if (request.method === "POST" && request.routeOptions.url === "/") {
      const type = String(request.headers["content-type"] ?? "none");
      return answerError(
        reply,
        protocol,
        415,
        "UnsupportedMediaType",
        `Content-Type ${type} is not an AWS protocol's.`,
      );
    }
  });
  app.addHook("onSend", async (request, _reply, payload) => {
    if (!namesSomeAttributes.has(request) || typeof payload !== "string") return payload;
    const answer = JSON.parse(payload) as {
      Messages?: { MessageAttributes?: object; MD5OfMessageAttributes?: string }[];
    };
    for (const message of answer.Messages ?? []) {
      if (message.MessageAttributes)
        message.MD5OfMessageAttributes = md5OfAttributes(message.MessageAttributes);
    }
    return JSON.stringify(answer);
  });
}

function actionOf(headers: IncomingHttpHeaders): string {
  return String(headers["x-amz-target"] ?? "").replace(/^AmazonSQS\./, "");
}

function checkJsonRequest(request: Request, reply: Reply): Reply | undefined {
  const type = String(request.headers["content-type"] ?? "");
  if (!type.includes("application/x-amz-json-1.0"))
    return answerError(
      reply,
      "json",
      415,
      "UnsupportedMediaType",
      "SQS's JSON protocol is sent as application/x-amz-json-1.0.",
    );
  const body = request.body;
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return answerError(
      reply,
      "json",
      400,
      "SerializationException",
      "The request body is not a JSON object.",
    );
  const problem = jsonInputProblem(actionOf(request.headers), body);
  return problem ? answerError(reply, "json", 400, problem.code, problem.message) : undefined;
}

/** A ReceiveMessage that names some message attributes, not All: fauxqs answers the MD5 of all. */
function namesSomeOf(headers: IncomingHttpHeaders, body: unknown): boolean {
  if (actionOf(headers) !== "ReceiveMessage") return false;
  const names = (body as { MessageAttributeNames?: unknown }).MessageAttributeNames;
  return Array.isArray(names) && names.length > 0 && !names.some((name) => name === "All" || name === ".*");
}

/** A JSON request fauxqs does not route (one posted to a queue URL's path): asked again at `/`. */
async function forwardJson(app: App, request: Request, reply: Reply): Promise<Reply> {
  const answer = await askSqs(app, request, actionOf(request.headers), request.body);
  return reply.code(answer.statusCode).header("content-type", "application/x-amz-json-1.0").send(answer.body);
}

/** Asks fauxqs's SQS, in the JSON protocol, what `request` asked; with its Host and signature (the region). */
function askSqs(app: App, request: Request, action: string, input: unknown) {
  return app.inject({
    method: "POST",
    url: "/",
    headers: {
      host: request.headers.host ?? "127.0.0.1",
      authorization: request.headers.authorization ?? "",
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `AmazonSQS.${action}`,
    },
    payload: JSON.stringify(input),
  });
}

/** A form-encoded request: SQS's translated to JSON and its answer back to XML; SNS's and STS's left to fauxqs. */
async function serveQueryProtocol(app: App, request: Request, reply: Reply): Promise<Reply | undefined> {
  const [path = "/", search = ""] = request.url.split("?", 2);
  const params = { ...Object.fromEntries(new URLSearchParams(search)), ...formOf(request.body) };
  if (!isSqsQueryRequest(params, path)) return undefined;
  const requestId = randomUUID();
  reply.header("content-type", "text/xml").header("x-amzn-requestid", requestId);
  let translated: ReturnType<typeof queryToJson>;
  try {
    const queueUrl = path === "/" ? undefined : `http://${request.headers.host}${path.replace(/\/$/, "")}`;
    translated = queryToJson(params, queueUrl);
  } catch (error) {
    if (!(error instanceof QueryProtocolError)) throw error;
    return reply.code(400).send(queryErrorXml(error.code, error.message, requestId));
  }
  const answer = await askSqs(app, request, translated.action, translated.input);
  const json: unknown = answer.body ? JSON.parse(answer.body) : {};
  if (answer.statusCode === 200) return reply.send(jsonToQueryXml(translated.action, json, requestId));
  // fauxqs's x-amzn-query-error header prefixes every code; AWS's are botocore's model's.
  const { __type = "InternalFailure", message = "" } = json as { __type?: string; message?: string };
  const fault = answer.statusCode >= 500 ? "Receiver" : "Sender";
  return reply.code(answer.statusCode).send(queryErrorXml(queryErrorCode(__type), message, requestId, fault));
}

function formOf(body: unknown): Record<string, string> {
  return typeof body === "object" && body !== null ? (body as Record<string, string>) : {};
}
