import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { LOCAL_ACCOUNT_ID } from "./embedded-aws.ts";
import { ThrottledError } from "./lambda-runtime.ts";
import { localRequestProblem } from "./request-guard.ts";
import type { RouteModel } from "./template.ts";
import { beginGatewayTrace, gatewaySpan, type TraceStore } from "./traces.ts";

/**
 * API Gateway (REST, Lambda proxy integrations) for local mode: an HTTP server that serves the
 * template's resources and methods, turns each request into a proxy event for the mapped
 * function, and answers as API Gateway does when there is no route (403), the function fails
 * (502) or takes longer than 29 s (504).
 */

export interface ApiGatewayOptions {
  port: number;
  host: string;
  routes: readonly RouteModel[];
  /** `idempotent`: a safe method's request (GET, HEAD, OPTIONS), which may run twice (see InvokeOptions). */
  invoke: (
    functionLogicalId: string,
    event: APIGatewayProxyEvent,
    options: { idempotent: boolean },
  ) => Promise<unknown>;
  /** Told about every request (method, path, status, ms). */
  onRequest?: (line: { method: string; path: string; status: number; ms: number }) => void;
  /**
   * Serve the API under this path instead of the root, as LocalStack's path-style invoke URL does
   * (`/_aws/execute-api/<id>/<stage>`): its last segment is the stage, and the proxy event's
   * `requestContext.path` is `/<stage>/...`, as there. Pages that must work wherever they are
   * mounted are tested this way.
   */
  pathPrefix?: string;
  /** How long a request body may take to arrive (default 10 s). */
  bodyTimeoutMs?: number;
  /** How long a function may take before the answer is 504 (default API Gateway's 29 s). */
  integrationTimeoutMs?: number;
  /** The API keys a method marked `apiKeyRequired` accepts in `x-api-key`. */
  apiKeys?: () => readonly string[];
  /** Host names answered besides the loopback's (see `localRequestProblem`). */
  allowedHosts?: readonly string[];
  /** Where each sampled request's span is kept (local/traces.ts); the trace header is passed on either way. */
  traces?: TraceStore;
}

export interface LocalApiGateway {
  url: string;
  server: Server;
  /** Swaps the routes (local dev mode after a re-synth). */
  setRoutes(routes: readonly RouteModel[]): void;
  stop(): Promise<void>;
}

/** API Gateway's limits. */
const INTEGRATION_TIMEOUT_MS = 29_000;
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** A request body must have arrived whole within this (a body that trickles in holds a socket). */
const BODY_TIMEOUT_MS = 10_000;
/** Methods whose requests carry no body here: one sent anyway is refused before it is read. */
const BODILESS_METHODS = new Set(["GET", "HEAD", "DELETE", "OPTIONS"]);
/** HTTP's safe methods: running such a request twice changes nothing. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const NO_BODY = Buffer.alloc(0);

interface CompiledRoute {
  route: RouteModel;
  pattern: RegExp;
  names: string[];
  /** Literal segments count first when two routes match (API Gateway prefers the most specific). */
  literalSegments: number;
}

export function compileRoutes(routes: readonly RouteModel[]): CompiledRoute[] {
  return routes
    .map((route) => {
      const names: string[] = [];
      const segments = route.path.split("/").filter(Boolean);
      const source = segments
        .map((segment) => {
          const greedy = /^\{(\w+)\+\}$/.exec(segment);
          if (greedy) {
            names.push(greedy[1] as string);
            return "/(.+)";
          }
          const param = /^\{(\w+)\}$/.exec(segment);
          if (param) {
            names.push(param[1] as string);
            return "/([^/]+)";
          }
          return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
        })
        .join("");
      return {
        route,
        pattern: new RegExp(`^${source || "/"}$`),
        names,
        literalSegments: segments.filter((s) => !s.startsWith("{")).length,
      };
    })
    .sort((a, b) => b.literalSegments - a.literalSegments);
}

export function matchRequest(
  compiled: readonly CompiledRoute[],
  method: string,
  path: string,
): { route: RouteModel; pathParameters: Record<string, string> } | undefined {
  for (const candidate of compiled) {
    if (candidate.route.method !== method && candidate.route.method !== "ANY") continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    candidate.names.forEach((name, index) => {
      pathParameters[name] = safeDecode(match[index + 1] ?? "");
    });
    return { route: candidate.route, pathParameters };
  }
  return undefined;
}

export async function startApiGateway(options: ApiGatewayOptions): Promise<LocalApiGateway> {
  const prefix = (options.pathPrefix ?? "").replace(/\/+$/, "");
  const gateway: Gateway = {
    options,
    compiled: compileRoutes(options.routes),
    prefix,
    stage: prefix ? (prefix.split("/").pop() as string) : undefined,
  };
  const server = createServer(async (request, response) => {
    const started = performance.now();
    const url = new URL(request.url ?? "/", "http://localhost");
    const requestId = randomUUID();
    const trace = beginGatewayTrace(request.headers["x-amzn-trace-id"], options.traces?.sampler);
    // Whatever went wrong on the way, API Gateway shows nothing of it.
    const reply = await answer(gateway, request, url, requestId, trace.header).catch(() =>
      message(502, "Internal server error"),
    );
    if (response.headersSent) return;
    response.writeHead(reply.status, {
      "x-amzn-requestid": requestId,
      "x-amzn-trace-id": trace.header,
      ...reply.headers,
      // As API Gateway answers: the body's length, not chunks (one write instead of several).
      ...(bodyAllowed(reply.status) ? { "content-length": Buffer.byteLength(reply.body) } : {}),
    });
    response.end(reply.body);
    if (trace.sampled)
      options.traces?.record(
        gatewaySpan(trace, request.method ?? "GET", url.pathname, reply.status, started),
      );
    const ms = Math.round(performance.now() - started);
    options.onRequest?.({ method: request.method ?? "GET", path: url.pathname, status: reply.status, ms });
  });
  server.keepAliveTimeout = 65_000;
  await listen(server, options.port, options.host);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}${prefix}`,
    server,
    setRoutes(routes) {
      gateway.compiled = compileRoutes(routes);
    },
    stop() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** What one API answers with: its options, its routes (swapped on reload) and where it is mounted. */
interface Gateway {
  options: ApiGatewayOptions;
  compiled: CompiledRoute[];
  prefix: string;
  stage: string | undefined;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | string;
}

const jsonType = { "content-type": "application/json" };
const TIMED_OUT = Symbol("timed out");

/** API Gateway's own answers: `{"message": ...}`; `close` ends a connection whose body was not read. */
function message(status: number, text: string, close = false): Answer {
  const headers = close ? { ...jsonType, connection: "close" } : jsonType;
  return { status, headers, body: JSON.stringify({ message: text }) };
}

/** One request: refused before it reaches a function, or the function's answer. */
async function answer(
  gateway: Gateway,
  request: IncomingMessage,
  url: URL,
  requestId: string,
  traceHeader: string,
): Promise<Answer> {
  const { options } = gateway;
  const method = request.method ?? "GET";
  const refused = localRequestProblem(method, request.headers, options.allowedHosts ?? []);
  // In the API's own error shape (`error`, `details`), which its clients read, not API Gateway's.
  if (refused)
    return {
      status: refused.status,
      headers: jsonType,
      body: JSON.stringify({
        error: refused.status === 415 ? "unsupported media type" : "forbidden",
        details: [refused.message],
      }),
    };
  const resourcePath = withoutPrefix(url.pathname, gateway.prefix);
  const matched =
    resourcePath === undefined ? undefined : matchRequest(gateway.compiled, method, resourcePath);
  if (!matched || resourcePath === undefined) return message(403, "Missing Authentication Token");
  if (
    matched.route.apiKeyRequired &&
    !options.apiKeys?.().includes(String(request.headers["x-api-key"] ?? ""))
  )
    return message(403, "Forbidden"); // API Gateway's answer to a missing or wrong key
  const bodiless = BODILESS_METHODS.has(method);
  if (
    bodiless &&
    (Number(request.headers["content-length"] ?? 0) > 0 || request.headers["transfer-encoding"])
  )
    return message(400, `${method} takes no request body`, true);
  // A request without a body has nothing to wait for: no stream listeners, no body timer.
  const body = bodiless ? NO_BODY : await readBody(request, options.bodyTimeoutMs ?? BODY_TIMEOUT_MS);
  if (body === "too long") return message(413, "Request Too Long", true);
  if (body === "too slow") return message(408, "Request body timed out", true);
  const event = toProxyEvent(request, url, {
    ...matched,
    body,
    requestId,
    resourcePath,
    stage: gateway.stage,
    traceHeader,
  });
  return integrate(options, matched.route.functionLogicalId, event, SAFE_METHODS.has(method));
}

/** The Lambda proxy integration: the function's answer, or API Gateway's 504, 429 or 502. */
async function integrate(
  options: ApiGatewayOptions,
  functionLogicalId: string,
  event: APIGatewayProxyEvent,
  idempotent: boolean,
): Promise<Answer> {
  try {
    const result = await withTimeout(
      options.invoke(functionLogicalId, event, { idempotent }),
      options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS,
    );
    if (result === TIMED_OUT) return message(504, "Endpoint request timed out");
    return toProxyResult(result) ?? message(502, "Internal server error");
  } catch (error) {
    if (error instanceof ThrottledError) return message(429, "Rate Exceeded.");
    return message(502, "Internal server error"); // the function threw or crashed
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject); // the port is taken, say
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** How the body is framed is API Gateway's to say (content-length), whatever the function's headers say. */
function framingHeader(name: string): boolean {
  const lower = name.length === 14 || name.length === 17 ? name.toLowerCase() : "";
  return lower === "content-length" || lower === "transfer-encoding";
}

/** A 1xx, 204 or 304 answer has no body, and so no content-length. */
function bodyAllowed(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 304;
}

/** The path below the prefix (`/` for the prefix itself); `undefined` outside it. */
export function withoutPrefix(path: string, prefix: string): string | undefined {
  if (!prefix) return path;
  if (path === prefix) return "/";
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
}

/** What the proxy event is made from: an IncomingMessage has it all. */
type ProxyRequest = Pick<IncomingMessage, "rawHeaders" | "headers" | "method" | "httpVersion"> & {
  socket: { remoteAddress?: string };
};

/** The Lambda proxy integration's event for one request (exported for the function-alone benchmark). */
export function toProxyEvent(
  request: ProxyRequest,
  url: URL,
  at: {
    route: RouteModel;
    pathParameters: Record<string, string>;
    body: Buffer;
    requestId: string;
    resourcePath: string;
    stage: string | undefined;
    /** API Gateway passes its trace on in this header, whatever the caller sent in it. */
    traceHeader: string;
  },
): APIGatewayProxyEvent {
  const { route, pathParameters, body, requestId, resourcePath, stage } = at;
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    const value = request.rawHeaders[i + 1] as string;
    if (name.length === 15 && name.toLowerCase() === "x-amzn-trace-id") continue;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  headers["X-Amzn-Trace-Id"] = at.traceHeader;
  multiValueHeaders["X-Amzn-Trace-Id"] = [at.traceHeader];
  const query: Record<string, string> = {};
  const multiValueQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    multiValueQuery[name] = [...(multiValueQuery[name] ?? []), value];
  }
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: route.path,
    path: resourcePath,
    httpMethod: request.method ?? "GET",
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    stageVariables: null,
    // Bytes that are not UTF-8 travel as base64, as API Gateway sends binary bodies: the function
    // can say so, instead of reading replacement characters.
    body: body.length === 0 ? null : isUtf8(body) ? body.toString("utf8") : body.toString("base64"),
    isBase64Encoded: body.length > 0 && !isUtf8(body),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: "local",
      authorizer: null,
      domainName: request.headers.host,
      httpMethod: request.method ?? "GET",
      identity: {
        sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
        userAgent: request.headers["user-agent"] ?? null,
      } as APIGatewayProxyEvent["requestContext"]["identity"],
      // At the root locally: no stage in the path. Under a prefix: `/<stage>/...`, as LocalStack does.
      path: stage ? `/${stage}${resourcePath}` : resourcePath,
      protocol: `HTTP/${request.httpVersion}`,
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: "local",
      resourcePath: route.path,
      stage: stage ?? "local",
    },
  };
}

/** A proxy integration's answer as an HTTP response; `undefined` when API Gateway would answer 502. */
export function toProxyResult(
  result: unknown,
): { status: number; headers: Record<string, string | string[]>; body: Buffer | string } | undefined {
  if (typeof result !== "object" || result === null) return undefined;
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = result as Record<string, unknown>;
  if (typeof statusCode !== "number" || statusCode < 100 || statusCode > 599) return undefined;
  const merged: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries((headers ?? {}) as Record<string, unknown>))
    if (!framingHeader(name)) merged[name] = String(value);
  for (const [name, values] of Object.entries((multiValueHeaders ?? {}) as Record<string, unknown[]>)) {
    if (!framingHeader(name)) merged[name] = values.map(String);
  }
  const text = typeof body === "string" ? body : "";
  return { status: statusCode, headers: merged, body: isBase64Encoded ? Buffer.from(text, "base64") : text };
}

/**
 * The whole body; "too long" past API Gateway's 10 MB, "too slow" when it has not arrived in time.
 * The rest of a refused body is not read: the answer closes the connection.
 */
function readBody(request: IncomingMessage, timeoutMs: number): Promise<Buffer | "too long" | "too slow"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (result: Buffer | "too long" | "too slow") => {
      clearTimeout(timer);
      request.off("data", onData).off("end", onEnd).off("error", onError);
      if (typeof result === "string") request.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) settle("too long");
      else chunks.push(chunk);
    };
    const onEnd = () => settle(Buffer.concat(chunks));
    const onError = () => settle("too slow");
    const timer = setTimeout(() => settle("too slow"), timeoutMs);
    request.on("data", onData).on("end", onEnd).on("error", onError);
  });
}

/** The promise's outcome, or TIMED_OUT after `ms`: one timer and one promise a request. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(TIMED_OUT), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
