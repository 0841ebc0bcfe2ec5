import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { jsonBody, type LocalEndpoint, readAll, replyJson, startLocalEndpoint } from "./local-endpoint.ts";

/**
 * An HTTP proxy between the functions and the embedded SQS and S3 server that fails a share of
 * their writes: SendMessageBatch entries, the way SQS reports a partially failed batch (the entry
 * is in `Failed`, nothing was enqueued for it), and archive objects, the way S3 refuses a PUT
 * (503 SlowDown, for every attempt the SDK makes at that object, so the write fails as a whole).
 * Everything else passes through untouched.
 */

export interface AwsFaultRates {
  sqsSendFailureRate: number;
  archiveWriteFailureRate: number;
}

export interface AwsFaultProxy extends LocalEndpoint {
  /** SendMessageBatch entries failed so far. */
  failedEntries: number;
  /** Archive objects whose writes were refused so far. */
  failedArchiveWrites: number;
}

interface BatchRequest {
  Entries?: { Id: string }[];
}
interface BatchResponse {
  Successful?: unknown[];
  Failed?: { Id: string; SenderFault: boolean; Code: string; Message: string }[];
}

/**
 * Loopback names only, like every local endpoint; any credentials (it stands in front of the
 * embedded server, which takes any); archive objects far larger than an invocation's payload.
 */
const PROXY_GUARD = { allowedHosts: [], accessKeyId: undefined, maxBodyBytes: 256 * 1024 * 1024 };

/** S3 path-style keys of archive objects: `/<bucket>/archive/...`. */
const ARCHIVE_PUT = /^\/[^/]+\/archive\//;

export async function startAwsFaultProxy(
  target: string,
  rates: AwsFaultRates,
  random = Math.random,
): Promise<AwsFaultProxy> {
  const targetUrl = new URL(target);
  const proxy: AwsFaultProxy = {
    endpoint: "",
    failedEntries: 0,
    failedArchiveWrites: 0,
    stop: async () => {},
  };
  const refusesArchiveWrite = archiveWriteRefuser(rates.archiveWriteFailureRate, random, () => {
    proxy.failedArchiveWrites++;
  });
  const endpoint = await startLocalEndpoint(
    (req, body, res) => {
      const path = req.url?.split("?")[0] ?? "";
      if (req.method === "PUT" && ARCHIVE_PUT.test(path) && refusesArchiveWrite(path)) {
        res.writeHead(503, { "content-type": "application/xml" });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>injected by FAULT_ARCHIVE_WRITE_FAILURE_RATE</Message></Error>',
        );
        return;
      }
      let forwardBody = body;
      let injected: string[] = [];
      if (req.headers["x-amz-target"] === "AmazonSQS.SendMessageBatch" && rates.sqsSendFailureRate > 0) {
        const batch = jsonBody<BatchRequest>(body, "InvalidParameterValue");
        const entries = batch.Entries ?? [];
        injected = entries.filter(() => random() < rates.sqsSendFailureRate).map((entry) => entry.Id);
        if (injected.length === entries.length && entries.length > 0) {
          proxy.failedEntries += injected.length;
          respond(res, 200, { Successful: [], Failed: injected.map(failure) });
          return;
        }
        const kept = entries.filter((entry) => !injected.includes(entry.Id));
        forwardBody = Buffer.from(JSON.stringify({ ...batch, Entries: kept }));
      }
      forward(
        targetUrl,
        req,
        forwardBody,
        res,
        (parsed) => {
          proxy.failedEntries += injected.length;
          return { ...parsed, Failed: [...(parsed.Failed ?? []), ...injected.map(failure)] };
        },
        injected.length > 0,
      );
    },
    PROXY_GUARD,
    (response, status, code, message) => respond(response, status, { __type: code, message }),
  );
  proxy.endpoint = endpoint.endpoint;
  proxy.stop = endpoint.stop;
  return proxy;
}

/** Whether an archive object's write is refused: decided once per key, so a refused object stays refused on every retry. */
function archiveWriteRefuser(
  rate: number,
  random: () => number,
  onRefused: () => void,
): (key: string) => boolean {
  const verdicts = new Map<string, boolean>();
  return (key) => {
    if (rate <= 0) return false;
    let refuse = verdicts.get(key);
    if (refuse === undefined) {
      refuse = random() < rate;
      verdicts.set(key, refuse);
      if (refuse) onRefused();
    }
    return refuse;
  };
}

/** Sends the request on to the real server; `rewrite` adds the injected failures to a 200 batch answer. */
function forward(
  targetUrl: URL,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  rewrite: (parsed: BatchResponse) => BatchResponse,
  rewriting: boolean,
): void {
  const upstream = httpRequest(
    {
      host: targetUrl.hostname,
      port: targetUrl.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, "content-length": String(body.length) },
    },
    async (upstreamResponse) => {
      const responseBody = await readAll(upstreamResponse);
      if (!rewriting || upstreamResponse.statusCode !== 200) {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        res.end(responseBody);
        return;
      }
      respond(res, 200, rewrite(JSON.parse(responseBody.toString("utf8")) as BatchResponse));
    },
  );
  upstream.on("error", () => respond(res, 502, { message: "upstream unavailable" }));
  upstream.end(body);
}

function failure(id: string) {
  return {
    Id: id,
    SenderFault: false,
    Code: "InternalError",
    Message: "injected by FAULT_SQS_SEND_FAILURE_RATE",
  };
}

function respond(res: ServerResponse, status: number, body: unknown): void {
  replyJson(res, status, body, "application/x-amz-json-1.0");
}
