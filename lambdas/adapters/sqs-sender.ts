import { type MessageAttributeValue, SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { SQS_BATCH_ENTRIES } from "../core/chunks";
import { inSpan } from "../shared/tracing";

/**
 * Sends many messages with SendMessageBatch: at most 10 entries and 256 KiB per call, all calls in
 * parallel, entries a call reports as failed retried up to four times with a short backoff.
 */

export interface OutgoingMessage {
  /** Unique within one `sendMessages` call; reported back for messages that could not be sent. */
  id: string;
  body: string;
  attributes?: Record<string, string>;
}

export interface SendResult {
  /** SQS message id of each sent message, by outgoing id. */
  sent: Map<string, string>;
  /** Outgoing ids that could not be sent after every attempt. */
  failed: string[];
  /** Why the last failing call failed, for the caller's log. */
  lastError?: unknown;
}

/**
 * JSON with every non-ASCII character as a \\u escape: the same value for any JSON reader, and a
 * body every SQS implementation accepts (some refuse characters outside the BMP that real SQS
 * takes, such as emoji).
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const MAX_BYTES_PER_CALL = 256 * 1024;
const MAX_ATTEMPTS = 5;
/** Pause before retrying failed entries: attempt x this. */
const RETRY_BACKOFF_MS = 25;

export function sendMessages(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly OutgoingMessage[],
): Promise<SendResult> {
  const queue = queueUrl.slice(queueUrl.lastIndexOf("/") + 1);
  const attributes = { "messaging.system": "aws_sqs", "messaging.batch.message_count": messages.length };
  return inSpan(`send ${queue}`, attributes, () => sendInBatches(sqs, queueUrl, messages));
}

async function sendInBatches(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly OutgoingMessage[],
): Promise<SendResult> {
  const sent = new Map<string, string>();
  let lastError: unknown;
  let pending = [...messages];
  for (let attempt = 1; attempt <= MAX_ATTEMPTS && pending.length > 0; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, (attempt - 1) * RETRY_BACKOFF_MS));
    const outcomes = await Promise.all(
      groupForBatches(pending).map((group) => sendGroup(sqs, queueUrl, group)),
    );
    const retry = new Set<string>();
    for (const outcome of outcomes) {
      for (const [id, messageId] of outcome.sent) sent.set(id, messageId);
      for (const id of outcome.failed) retry.add(id);
      lastError = outcome.error ?? lastError;
    }
    pending = pending.filter((message) => retry.has(message.id));
  }
  return { sent, failed: pending.map((message) => message.id), lastError };
}

/** Splits messages into SendMessageBatch-sized groups, by count and by payload size. */
function groupForBatches(messages: readonly OutgoingMessage[]): OutgoingMessage[][] {
  const groups: OutgoingMessage[][] = [];
  let group: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = messageSize(message);
    if (group.length === SQS_BATCH_ENTRIES || (group.length > 0 && bytes + size > MAX_BYTES_PER_CALL)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(message);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

async function sendGroup(
  sqs: SQSClient,
  queueUrl: string,
  group: readonly OutgoingMessage[],
): Promise<{ sent: [string, string][]; failed: string[]; error?: unknown }> {
  // Entry ids must be short and unique per call; the position maps them back.
  const entries = group.map((message, index) => ({
    Id: String(index),
    MessageBody: message.body,
    MessageAttributes: message.attributes ? toAttributes(message.attributes) : undefined,
  }));
  try {
    const response = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    const idOf = (entryId: string | undefined) => group[Number(entryId)]?.id ?? "";
    const failed = response.Failed ?? [];
    return {
      sent: (response.Successful ?? []).map((entry) => [idOf(entry.Id), entry.MessageId ?? ""]),
      failed: failed.map((entry) => idOf(entry.Id)),
      error: failed.length > 0 ? new Error(`${failed[0]?.Code}: ${failed[0]?.Message}`) : undefined,
    };
  } catch (error) {
    // The whole call failed (network, throttling): every entry is retried.
    return { sent: [], failed: group.map((message) => message.id), error };
  }
}

function toAttributes(attributes: Record<string, string>): Record<string, MessageAttributeValue> {
  const result: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    result[name] = { DataType: "String", StringValue: value };
  }
  return result;
}

function messageSize(message: OutgoingMessage): number {
  let size = Buffer.byteLength(message.body);
  for (const [name, value] of Object.entries(message.attributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value) + "String".length;
  }
  return size;
}
