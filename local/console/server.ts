import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { QueueSnapshot } from "../queue-snapshot.ts";
import { localRequestProblem } from "../request-guard.ts";
import type { TraceStore } from "../traces.ts";
import { type FunctionFigures, LOG_LEVELS, type LogRing } from "./observe.ts";

/**
 * The local console: local mode's own page of its functions, queues, logs and traces, on a port
 * of its own (not the stack's: the stack's dashboard stays what it deploys as). Read-only: it
 * answers GET and HEAD only, behind the request guard every local socket applies, with a content
 * security policy that admits nothing but its own files (no CDN: it works offline).
 */

interface ConsoleSources {
  functions(): FunctionFigures[];
  /** Each queue's snapshot, with the name of the queue it is the dead-letter queue of, if any. */
  queues(peek: number): Promise<(QueueSnapshot & { deadLetterQueueOf: string | undefined })[]>;
  logs: LogRing;
  /** Undefined when recording is off (LOCAL_TRACES=off). */
  traces: TraceStore | undefined;
}

export interface ConsoleOptions {
  /** Its port on `host`; 0: any free one. */
  port: number;
  /** When `port` is taken, take any free one rather than fail (npm start's default port). */
  anyPortIfTaken?: boolean;
  host: string;
  allowedHosts: readonly string[];
  sources: ConsoleSources;
}

export interface LocalConsole {
  url: string;
  stop(): Promise<void>;
}

const PAGE_FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/console.js": { file: "console.js", type: "text/javascript; charset=utf-8" },
  "/console.css": { file: "console.css", type: "text/css; charset=utf-8" },
};

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

export async function startConsole(options: ConsoleOptions): Promise<LocalConsole> {
  const pages = new Map(
    Object.entries(PAGE_FILES).map(([path, { file, type }]) => [
      path,
      { type, body: readFileSync(new URL(`./page/${file}`, import.meta.url)) },
    ]),
  );
  const server = createServer((request, response) => {
    serve(request, response, options, pages).catch(() => {
      if (!response.headersSent) reply(response, 500, { error: "the console could not answer this request" });
      else response.destroy();
    });
  });
  const port = await listen(server, options);
  return {
    url: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}/`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  options: ConsoleOptions,
  pages: Map<string, { type: string; body: Buffer }>,
): Promise<void> {
  const method = request.method ?? "GET";
  // Before the guard, whose advice for a write (a JSON content type) would not help here.
  if (method !== "GET" && method !== "HEAD")
    return reply(
      response,
      405,
      { error: `the console only reads: ${method} is not answered` },
      { allow: "GET, HEAD" },
    );
  const refused = localRequestProblem(method, request.headers, options.allowedHosts);
  if (refused) return reply(response, refused.status, { error: refused.message });
  const url = new URL(request.url ?? "/", "http://localhost");
  if (url.pathname === "/favicon.ico") return void response.writeHead(204, SECURITY_HEADERS).end(); // none
  const page = pages.get(url.pathname);
  if (page) {
    response.writeHead(200, { ...SECURITY_HEADERS, "content-type": page.type });
    return void response.end(method === "HEAD" ? undefined : page.body);
  }
  const answer = await apiAnswer(url, options.sources);
  reply(response, answer.status, answer.body);
}

/** The console's API: each view's data as JSON. */
async function apiAnswer(url: URL, sources: ConsoleSources): Promise<{ status: number; body: unknown }> {
  const params = url.searchParams;
  switch (url.pathname) {
    case "/api/functions":
      return { status: 200, body: { functions: sources.functions() } };
    case "/api/queues": {
      const peek = whole(params.get("peek"), 10, 0, 50);
      if (peek === undefined) return badRequest("peek must be a whole number from 0 to 50");
      return { status: 200, body: { queues: await sources.queues(peek) } };
    }
    case "/api/logs":
      return logsAnswer(params, sources.logs);
    case "/api/traces":
      return tracesAnswer(params, sources.traces);
  }
  const traceId = /^\/api\/traces\/(1-[0-9a-f]{8}-[0-9a-f]{24})$/.exec(url.pathname)?.[1];
  if (traceId) {
    const spans = sources.traces?.spansOf(new Set([traceId])) ?? [];
    if (spans.length === 0) return { status: 404, body: { error: `no trace ${traceId} is kept` } };
    return { status: 200, body: { traceIds: [traceId], spans } };
  }
  return { status: 404, body: { error: `nothing at ${url.pathname}` } };
}

function logsAnswer(params: URLSearchParams, logs: LogRing): { status: number; body: unknown } {
  const after = whole(params.get("after"), 0, 0, Number.MAX_SAFE_INTEGER);
  if (after === undefined) return badRequest("after must be a whole number");
  const limit = whole(params.get("limit"), 200, 1, 1000);
  if (limit === undefined) return badRequest("limit must be a whole number from 1 to 1000");
  const level = params.get("level")?.toUpperCase() || undefined;
  if (level !== undefined && !LOG_LEVELS.includes(level))
    return badRequest(`level must be one of ${LOG_LEVELS.join(", ")}`);
  const lines = logs.query({
    after,
    limit,
    level,
    source: params.get("function") || undefined,
    requestId: params.get("request_id") || undefined,
  });
  return { status: 200, body: { lastSeq: logs.lastSeq, lines } };
}

function tracesAnswer(
  params: URLSearchParams,
  traces: TraceStore | undefined,
): { status: number; body: unknown } {
  if (!traces) return { status: 200, body: { recording: false, traces: [] } };
  const orderId = params.get("order_id");
  if (orderId !== null) {
    if (orderId.length === 0 || orderId.length > 100)
      return badRequest("order_id must be 1 to 100 characters");
    const traceIds = traces.journeyOf(orderId);
    return {
      status: 200,
      body: { recording: true, orderId, traceIds: [...traceIds], spans: traces.spansOf(traceIds) },
    };
  }
  const limit = whole(params.get("limit"), 50, 1, 500);
  if (limit === undefined) return badRequest("limit must be a whole number from 1 to 500");
  const sampling = traces.sampler.rule();
  return { status: 200, body: { recording: true, sampling, traces: traces.recent(limit) } };
}

function badRequest(error: string): { status: number; body: unknown } {
  return { status: 400, body: { error } };
}

/** The parameter as a whole number within bounds, its default when absent, undefined when wrong. */
function whole(text: string | null, fallback: number, min: number, max: number): number | undefined {
  if (text === null || text === "") return fallback;
  if (!/^\d{1,16}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

function reply(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

function listen(server: Server, options: ConsoleOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE" && options.anyPortIfTaken) server.listen(0, options.host);
      else if (error.code === "EADDRINUSE")
        reject(
          new Error(`the console's port ${options.port} is taken; choose another with --console-port N`),
        );
      else reject(error);
    };
    server.on("error", onError);
    server.once("listening", () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
    server.listen(options.port, options.host);
  });
}
