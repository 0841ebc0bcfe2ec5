import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small HTTP endpoint on 127.0.0.1, at a free port: what local mode's stand-ins for AWS APIs
 * (Secrets Manager, Lambda's Invoke API, the fault proxy) are built on. Each gets the request with
 * its body read whole, and answers through `reply`.
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

export async function startLocalEndpoint(handle: EndpointHandler): Promise<LocalEndpoint> {
  const server = createServer(async (request, response) => {
    await handle(request, await readAll(request), response);
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

export async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
