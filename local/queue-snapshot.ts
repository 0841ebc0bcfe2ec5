import type { App } from "./aws-server-http.ts";
import { carriedTraceHeader, clientAttributes } from "./sqs-trace-header.ts";

/**
 * What the console shows of a queue, read in the embedded server's thread without receiving
 * anything (a receive would hide the messages from the consumer): how many wait, are in flight or
 * delayed, how long the oldest has waited, and the first few messages.
 * `GET /_local/queues/<name>?peek=N`, behind the server's request guard like every other request.
 */

export interface QueueSnapshot {
  name: string;
  waiting: number;
  inFlight: number;
  delayed: number;
  /** Seconds since the oldest message still held was sent; 0 for an empty queue. */
  oldestAgeSeconds: number;
  messages: PeekedMessage[];
}

interface PeekedMessage {
  messageId: string;
  state: "waiting" | "in flight" | "delayed";
  sentTimestamp: number;
  receiveCount: number;
  /** At most PEEK_BODY_CHARS of it. */
  body: string;
  attributes: Record<string, { DataType: string; StringValue?: string }>;
  traceHeader: string | undefined;
}

/** fauxqs's stored message and queue, as far as a snapshot reads them. */
interface StoredMessage {
  messageId: string;
  body: string;
  sentTimestamp: number;
  approximateReceiveCount: number;
  messageAttributes: Record<string, { DataType: string; StringValue?: string }>;
}
interface StoredQueue {
  name: string;
  inspectMessages(): {
    ready: StoredMessage[];
    delayed: StoredMessage[];
    inflight: { message: StoredMessage }[];
  };
}

const MAX_PEEK = 50;
const PEEK_BODY_CHARS = 2_000;
const PATH = /^\/_local\/queues\/([A-Za-z0-9_.-]{1,80})(?:\?peek=(\d{1,3}))?$/;

export function serveQueueSnapshots(app: App, queueNamed: (name: string) => StoredQueue | undefined): void {
  app.addHook("onRequest", async (request, reply) => {
    if (request.method !== "GET" || !request.url.startsWith("/_local/")) return;
    const match = PATH.exec(request.url);
    const queue = match ? queueNamed(match[1] as string) : undefined;
    reply.header("content-type", "application/json");
    if (!match) return reply.code(400).send(JSON.stringify({ error: "GET /_local/queues/<name>?peek=N" }));
    if (!queue) return reply.code(404).send(JSON.stringify({ error: `no queue ${match[1]}` }));
    return reply
      .code(200)
      .send(JSON.stringify(snapshotOf(queue, Math.min(MAX_PEEK, Number(match[2] ?? 10)))));
  });
}

function snapshotOf(queue: StoredQueue, peek: number): QueueSnapshot {
  const { ready, delayed, inflight } = queue.inspectMessages();
  let oldest = Number.POSITIVE_INFINITY;
  for (const message of ready) oldest = Math.min(oldest, message.sentTimestamp);
  for (const { message } of inflight) oldest = Math.min(oldest, message.sentTimestamp);
  const peeked = [
    ...ready.slice(0, peek).map((message) => peekOf(message, "waiting")),
    ...inflight.slice(0, peek).map(({ message }) => peekOf(message, "in flight")),
    ...delayed.slice(0, peek).map((message) => peekOf(message, "delayed")),
  ].slice(0, peek);
  return {
    name: queue.name,
    waiting: ready.length,
    inFlight: inflight.length,
    delayed: delayed.length,
    oldestAgeSeconds: Number.isFinite(oldest) ? Math.max(0, Math.round((Date.now() - oldest) / 1000)) : 0,
    messages: peeked,
  };
}

function peekOf(message: StoredMessage, state: PeekedMessage["state"]): PeekedMessage {
  return {
    messageId: message.messageId,
    state,
    sentTimestamp: message.sentTimestamp,
    receiveCount: message.approximateReceiveCount,
    body: message.body.slice(0, PEEK_BODY_CHARS),
    attributes: clientAttributes(message.messageAttributes),
    traceHeader: carriedTraceHeader(message.messageAttributes),
  };
}
