import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { localRequestProblem } from "./request-guard.ts";

/**
 * A small HTTP endpoint on 127.0.0.1, at a free port: what local mode's stand-ins for AWS APIs
 * (Secrets Manager, Lambda's Invoke API, the fault proxy) are built on. Each gets the request with
 * its body read whole, and answers through `reply`.
 *
 * Before a handler sees a request, the endpoint's guard refuses what only an intruder sends: the
 * request guard's foreign Host or cross-site write, a request not signed with the run's own
 * access key (only local mode and its functions know it), a body over the limit. A body that is
 * not what the API takes is the handler's `BadRequestError`, answered 400; no request, however
 * malformed, ends local mode.
 */

export interface LocalEndpoint {
  /** `http://127.0.0.1:<port>`: what an SDK's endpoint setting takes. */
  endpoint: string;
  stop(): Promise<void>;
}

export type EndpointHandler = (
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
) => Promise<void> | void;

export interface EndpointGuard {
  /** Host names answered besides the loopback's (`--allowed-host`). */
  allowedHosts: readonly string[];
  /** The access key id every request must be signed with; undefined: any (the fault proxy's SQS clients). */
  accessKeyId: string | undefined;
  /** Default: Lambda's 6 MiB payload limit. */
  maxBodyBytes?: number;
}

/** Answers a refusal in the API's own error shape: `code` is the AWS error code. */
export type ErrorReply = (response: ServerResponse, status: number, code: string, message: string) => void;

/** A request body the API cannot take: answered 400 with the message. */
class BadRequestError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Lambda's own limit on an invocation's payload; no AWS API local mode serves takes more. */
const MAX_BODY_BYTES = 6 * 1024 * 1024;

export async function startLocalEndpoint(
  handle: EndpointHandler,
  guard: EndpointGuard,
  replyError: ErrorReply,
): Promise<LocalEndpoint> {
  const server = createServer(async (request, response) => {
    try {
      const refused = refusal(request, guard);
      if (refused) return replyError(response, refused.status, refused.code, refused.message);
      const limit = guard.maxBodyBytes ?? MAX_BODY_BYTES;
      const body = await readUpTo(request, limit);
      if (!body) {
        replyError(response, 413, "RequestEntityTooLargeException", `the body is over ${limit} bytes`);
        request.destroy();
        return;
      }
      await handle(request, body, response);
    } catch (error) {
      if (response.headersSent) return void response.destroy();
      if (error instanceof BadRequestError) replyError(response, 400, error.code, error.message);
      else replyError(response, 500, "ServiceException", "local mode could not answer this request");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Answers `body` as JSON (nothing when undefined), with `contentType` as the AWS API names it. */
export function replyJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(status, {
    "content-type": contentType,
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** The body as the API takes it: JSON, or a 400 saying it is not. */
export function jsonBody<T>(body: Buffer, code: string): T {
  const text = body.toString("utf8");
  if (text === "") return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new BadRequestError(code, `the request body is not JSON: ${(error as Error).message}`);
  }
}

function refusal(
  request: IncomingMessage,
  guard: EndpointGuard,
): { status: number; code: string; message: string } | undefined {
  const problem = localRequestProblem(request.method ?? "GET", request.headers, guard.allowedHosts);
  if (problem) return { ...problem, code: "AccessDeniedException" };
  if (guard.accessKeyId === undefined) return undefined;
  const credential = /Credential=([^/,\s]+)\//.exec(String(request.headers.authorization ?? ""))?.[1];
  if (credential !== guard.accessKeyId)
    return {
      status: 403,
      code: "UnrecognizedClientException",
      message: "the request is not signed with this local mode's own credentials",
    };
  return undefined;
}

export async function readAll(stream: IncomingMessage): Promise<Buffer> {
  return (await readUpTo(stream, Number.POSITIVE_INFINITY)) as Buffer;
}

/** The whole body, or undefined once it passes `limit` bytes. */
async function readUpTo(stream: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
