import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An HTTP proxy between the functions and the embedded SQS server that makes SendMessageBatch
 * fail a share of its entries, the way SQS reports a partially failed batch (the entry is in
 * `Failed`, nothing was enqueued for it). Everything else passes through untouched.
 */

export interface SqsFaultProxy {
  endpoint: string;
  /** Entries failed so far. */
  failedEntries: number;
  stop(): Promise<void>;
}

interface BatchRequest {
  Entries?: { Id: string }[];
}
interface BatchResponse {
  Successful?: unknown[];
  Failed?: { Id: string; SenderFault: boolean; Code: string; Message: string }[];
}

export async function startSqsFaultProxy(
  target: string,
  failureRate: number,
  random = Math.random,
): Promise<SqsFaultProxy> {
  const targetUrl = new URL(target);
  const proxy: SqsFaultProxy = { endpoint: "", failedEntries: 0, stop: async () => {} };

  const server: Server = createServer(async (req, res) => {
    const body = await readAll(req);
    let forwardBody = body;
    let injected: string[] = [];
    if (req.headers["x-amz-target"] === "AmazonSQS.SendMessageBatch") {
      const batch = JSON.parse(body.toString("utf8")) as BatchRequest;
      const entries = batch.Entries ?? [];
      injected = entries.filter(() => random() < failureRate).map((entry) => entry.Id);
      if (injected.length === entries.length && entries.length > 0) {
        proxy.failedEntries += injected.length;
        respond(res, 200, { Successful: [], Failed: injected.map(failure) });
        return;
      }
      forwardBody = Buffer.from(
        JSON.stringify({ ...batch, Entries: entries.filter((e) => !injected.includes(e.Id)) }),
      );
    }
    const upstream = httpRequest(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, "content-length": String(forwardBody.length) },
      },
      async (upstreamResponse) => {
        const responseBody = await readAll(upstreamResponse);
        if (injected.length === 0 || upstreamResponse.statusCode !== 200) {
          res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
          res.end(responseBody);
          return;
        }
        const parsed = JSON.parse(responseBody.toString("utf8")) as BatchResponse;
        proxy.failedEntries += injected.length;
        respond(res, 200, { ...parsed, Failed: [...(parsed.Failed ?? []), ...injected.map(failure)] });
      },
    );
    upstream.on("error", () => respond(res, 502, { message: "upstream unavailable" }));
    upstream.end(forwardBody);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return proxy;
}

function failure(id: string) {
  return {
    Id: id,
    SenderFault: false,
    Code: "InternalError",
    Message: "injected by FAULT_SQS_SEND_FAILURE_RATE",
  };
}

function respond(res: import("node:http").ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/x-amz-json-1.0",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
