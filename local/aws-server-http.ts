import { randomUUID } from "node:crypto";
import type {
  IncomingHttpHeaders,
  IncomingMessage,
  RequestListener,
  Server,
  ServerResponse,
} from "node:http";
import { localRequestProblem } from "./request-guard.ts";
import { queryErrorXml } from "./sqs-query-protocol.ts";

/**
 * What every request to the embedded SQS and S3 server (local/aws-server.ts) meets, whichever
 * service it asks: local mode's guard, SQS's body limit, and errors answered in the shape of the
 * protocol it speaks, 4xx for a client's mistake, never a request that ends the server.
 */

/** What of fauxqs's Fastify app this file uses (its declarations reach TypeScript as `any`). */
export interface App {
  addHook(name: "onRequest" | "preHandler", hook: (request: Request, reply: Reply) => Promise<unknown>): void;
  addHook(name: "onSend", hook: (request: Request, reply: Reply, payload: unknown) => Promise<unknown>): void;
  addHook(name: "preClose", hook: () => void): void;
  removeContentTypeParser(types: readonly string[]): void;
  addContentTypeParser(
    type: string,
    options: { parseAs: "string"; bodyLimit: number },
    parser: (request: Request, body: string, done: (error: Error | null, body?: unknown) => void) => void,
  ): void;
  setErrorHandler(handler: (error: ServerError, request: Request, reply: Reply) => Reply): void;
  inject(request: {
    method: "POST";
    url: string;
    headers: Record<string, string>;
    payload: string;
  }): Promise<{ statusCode: number; body: string; headers: IncomingHttpHeaders }>;
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  setNotFoundHandler(handler: (request: Request, reply: Reply) => Promise<Reply>): void;
  server: Server;
}

interface ServerError extends Error {
  statusCode?: number;
  code?: string;
}

/** What of fauxqs's request and reply these hooks use. */
export interface Request {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  routeOptions: { url?: string };
  raw: IncomingMessage;
}
export interface Reply {
  code(status: number): Reply;
  header(name: string, value: string): Reply;
  send(payload?: unknown): Reply;
}

/** The protocol a request speaks, by what AWS's clients send: its errors are answered in that one's shape. */
export type Protocol = "json" | "query" | "rest-xml";

export function protocolOf(headers: IncomingHttpHeaders): Protocol {
  const type = String(headers["content-type"] ?? "");
  if (headers["x-amz-target"] !== undefined || type.includes("x-amz-json")) return "json";
  if (type.includes("x-www-form-urlencoded")) return "query";
  return "rest-xml";
}

/** An error, as SQS's JSON protocol, the query protocol or S3 writes it. */
export function answerError(
  reply: Reply,
  protocol: Protocol,
  status: number,
  code: string,
  message: string,
): Reply {
  const requestId = randomUUID();
  reply.code(status).header("x-amzn-requestid", requestId);
  if (protocol === "json") {
    return reply
      .header("content-type", "application/x-amz-json-1.0")
      .send(JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }));
  }
  const fault = status >= 500 ? "Receiver" : "Sender";
  if (protocol === "query") {
    return reply.header("content-type", "text/xml").send(queryErrorXml(code, message, requestId, fault));
  }
  const escaped = message.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
  return reply
    .header("content-type", "application/xml")
    .send(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escaped}</Message><RequestId>${requestId}</RequestId></Error>`,
    );
}

/** Local mode's rule for every socket it opens, before anything else looks at a request. */
export function guardRequests(app: App, allowedHosts: readonly string[]): void {
  const givenHosts = frontDoor(app.server, allowedHosts);
  app.addHook("onRequest", async (request, reply) => {
    const given = givenHosts.get(request.raw);
    const headers = given === undefined ? request.headers : { ...request.headers, host: given };
    const refused = localRequestProblem(request.method, headers, allowedHosts);
    if (!refused) return;
    if (refused.status === 403) {
      return answerError(reply, protocolOf(request.headers), 403, "AccessDenied", refused.message);
    }
    const message = `${request.method} refused: it has no Authorization header, which every AWS client sends (a web page's form does not)`;
    return answerError(reply, protocolOf(request.headers), refused.status, "UnsupportedMediaType", message);
  });
  app.setNotFoundHandler(async (request, reply) =>
    answerError(
      reply,
      protocolOf(request.headers),
      405,
      "MethodNotAllowed",
      `${request.method} is not allowed here.`,
    ),
  );
}

/**
 * Before fauxqs's Fastify: what it decides before any hook sees a request. A path it cannot
 * decode, which it would answer in a JSON of its own; and a Host given with --allowed-host that
 * has dots, whose first label its rewrite for S3's virtual-hosted style would take for a bucket
 * (`dev.example` -> bucket `dev`): asked as `localhost`, the name given kept for the guard.
 */
function frontDoor(server: Server, allowedHosts: readonly string[]): WeakMap<IncomingMessage, string> {
  const givenHosts = new WeakMap<IncomingMessage, string>();
  const fastify = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const host = request.headers.host ?? "";
    const [, hostname = "", port = ""] = /^([^:[\]]*)(:\d+)?$/.exec(host.toLowerCase()) ?? [];
    if (hostname.includes(".") && allowedHosts.includes(hostname)) {
      givenHosts.set(request, host);
      request.headers.host = `localhost${port}`;
    }
    if (!decodablePath(request.url ?? "/")) {
      const reply = rawReply(response);
      return answerError(
        reply,
        protocolOf(request.headers),
        400,
        "InvalidURI",
        "The path is not valid percent-encoding.",
      );
    }
    for (const listener of fastify) listener(request, response);
  });
  return givenHosts;
}

function decodablePath(url: string): boolean {
  try {
    decodeURIComponent(url.split("?", 1)[0] ?? "");
    return true;
  } catch {
    return false;
  }
}

/** A Reply over Node's response, for an answer given before Fastify has the request. */
function rawReply(response: ServerResponse): Reply {
  const reply: Reply = {
    code: (status) => {
      response.statusCode = status;
      return reply;
    },
    header: (name, value) => {
      response.setHeader(name, value);
      return reply;
    },
    send: (payload) => {
      response.end(payload);
      return reply;
    },
  };
  return reply;
}

const MiB = 1_048_576;
/**
 * SQS's requests: a message is at most 1 MiB, and so is a batch; percent-encoded in a query
 * request, a byte can take three. S3's keep fauxqs's 11 MiB (a multipart upload's parts).
 */
const SQS_BODY_LIMIT = 4 * MiB;

/** A client's mistake, answered with its status and code by answerErrors. */
class ClientError extends Error {
  readonly statusCode: number;
  readonly awsCode: string;
  constructor(statusCode: number, awsCode: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.awsCode = awsCode;
  }
}

/** SQS's two protocols' bodies, within SQS's limit; a body that is not JSON is the client's mistake. */
export function limitSqsBodies(app: App): void {
  app.removeContentTypeParser(["application/x-amz-json-1.0", "application/x-www-form-urlencoded"]);
  app.addContentTypeParser(
    "application/x-amz-json-1.0",
    { parseAs: "string", bodyLimit: SQS_BODY_LIMIT },
    (_request, body, done) => {
      try {
        done(null, JSON.parse(body));
      } catch {
        done(new ClientError(400, "SerializationException", "The request body is not JSON."));
      }
    },
  );
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: SQS_BODY_LIMIT },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body))),
  );
}

/**
 * Whatever a handler throws is answered in the protocol's shape: a client's mistake (a body too
 * large, not JSON) with its 4xx; anything else as a 500 that names no internals.
 */
export function answerErrors(app: App): void {
  app.setErrorHandler((error, request, reply) => {
    const protocol = protocolOf(request.headers);
    // A URIError is a request's malformed percent-encoding (a copy source's, say): fauxqs decodes those unguarded.
    const status = error instanceof URIError ? 400 : (error.statusCode ?? 500);
    if (status >= 500) {
      console.error(`the embedded SQS and S3 server failed on ${request.method} ${request.url}:`, error);
      const code = protocol === "rest-xml" ? "InternalError" : "InternalFailure";
      return answerError(reply, protocol, 500, code, "The server failed to answer the request.");
    }
    const code =
      error instanceof ClientError
        ? error.awsCode
        : error.code === "FST_ERR_CTP_BODY_TOO_LARGE"
          ? "RequestEntityTooLarge"
          : "InvalidRequest";
    return answerError(reply, protocol, status, code, error.message);
  });
}
