import { isSqsSafe } from "./order";
import type { MessageOutcome } from "./outcome";
import { isValueMismatchPolicy, type ValueMismatchPolicy } from "./rules";

/**
 * The order archive's format: the durable record of every message the consumer settled, from
 * which the analytics can always be rebuilt (see adapters/s3-archive.ts and workflows/rebuild-from-archive.ts).
 *
 * One gzipped JSON Lines object per batch, under a key that sorts by the time it was written:
 * `archive/YYYY/MM/DD/HH/<YYYYMMDDTHHMMSSmmmZ>-<writer>.jsonl.gz`. Each line:
 *
 *   {"message_id", "source_message_id", "sent_at", "archived_at", "outcome", "reason"?,
 *    "value_mismatch", "body": <the body as received>}
 *
 * A body that is a JSON object on one line is kept as it is (no escaping: the cheap path, and
 * `jq .body` reads it); any other body is kept as a string in `body_text`. `body`, when present,
 * is the last field, so that a reader takes its exact text back (see `parseArchiveLine`).
 *
 * Each object carries an authenticator (adapters/s3-archive.ts): an HMAC over its key, its
 * writer's value-mismatch policy and its bytes, with a key only the consumer and the rebuild
 * read. A rebuild replays only objects whose authenticator holds, and only the lines of each that
 * agree with what the object vouches for: its time (in its key) and its policy.
 */

export const ARCHIVE_ROOT = "archive/";

/** Where the latest clear is noted: a rebuild replays only what was archived after it. */
export const LAST_CLEAR_KEY = "markers/last-clear.json";

/** One settled message as archived. */
export interface ArchivedMessage {
  messageId: string;
  /** The id the message first had (kept in `source_message_id` through the dead-letter queue). */
  sourceMessageId: string;
  /** When SQS received it (ISO 8601), when known. */
  sentAt: string | undefined;
  outcome: MessageOutcome["kind"];
  reason: string | undefined;
  /** The policy the outcome was judged under: the rebuild judges the body the same way. */
  valueMismatch: ValueMismatchPolicy;
  body: string;
}

/**
 * Where the consumer archives a batch: `open` starts one object, written by `writer` and judged
 * under `valueMismatch`; `add` gives it a slice (it is compressed while the next slice is judged),
 * `close` stores it and resolves once it is durable.
 */
export interface ArchiveSink {
  open(writer: string, valueMismatch: ValueMismatchPolicy): ArchiveObject;
}

/** An archive object as a rebuild reads it back: authenticated, with what it vouches for. */
export interface ArchivedObject {
  /** When it was opened (from its key): the `archived_at` of each of its lines. */
  writtenAt: string;
  /** The policy its writer judged every one of its messages under. */
  valueMismatch: ValueMismatchPolicy;
  lines: string[];
}

export interface ArchiveObject {
  add(messages: readonly ArchivedMessage[]): void;
  close(): Promise<unknown>;
}

interface ArchiveLineHeader {
  message_id: string;
  source_message_id: string;
  sent_at?: string;
  archived_at: string;
  outcome: MessageOutcome["kind"];
  reason?: string;
  value_mismatch: ValueMismatchPolicy;
  body_text?: string;
}

const BODY_FIELD = ',"body":';

/**
 * The JSON Lines bytes of a slice of settled messages, one line each, newline-terminated. Built
 * into one buffer: joining thousands of kilobyte-long strings costs more than writing them.
 */
export function archiveLines(messages: readonly ArchivedMessage[], archivedAt: string): Buffer {
  const pieces: string[] = [];
  for (const message of messages) {
    const header: ArchiveLineHeader = {
      message_id: message.messageId,
      source_message_id: message.sourceMessageId,
      ...(message.sentAt ? { sent_at: message.sentAt } : {}),
      archived_at: archivedAt,
      outcome: message.outcome,
      ...(message.reason ? { reason: message.reason } : {}),
      value_mismatch: message.valueMismatch,
    };
    // Valid and failed outcomes parsed as a JSON object: one that spans no lines embeds as it is.
    if (message.outcome !== "malformed" && !message.body.includes("\n")) {
      pieces.push(`${JSON.stringify(header).slice(0, -1)}${BODY_FIELD}`, message.body, "}\n");
    } else {
      pieces.push(`${JSON.stringify({ ...header, body_text: message.body })}\n`);
    }
  }
  let length = 0;
  for (const piece of pieces) length += Buffer.byteLength(piece);
  const bytes = Buffer.allocUnsafe(length);
  let offset = 0;
  for (const piece of pieces) offset += bytes.write(piece, offset);
  return bytes;
}

/** An archive line read back: its header and the body exactly as it was received. */
export interface ArchiveLine {
  header: ArchiveLineHeader;
  body: string;
}

/** SQS's bounds, which every archived message met when it was a message. */
const SQS_LIMITS = {
  /** A message id: SQS's are at most 100 characters. */
  idLength: 100,
  /** A body: the largest any queue takes (1 MiB). */
  bodyBytes: 1024 * 1024,
};
/** An ISO 8601 time as the consumer writes it (24 characters), with room to spare. */
const MAX_TIME_LENGTH = 40;
/** The longest reason (`invalid_order_id`...), with room to spare. */
const MAX_REASON_LENGTH = 64;
const OUTCOME_KINDS: readonly string[] = ["valid", "failed", "malformed"] satisfies MessageOutcome["kind"][];

/**
 * One archive line, checked as the queue checks a message: ids of at most 100 characters and a
 * body of at most 1 MiB, each of characters SQS accepts; times that parse; an outcome and a policy
 * that exist. Undefined for anything else, which the consumer cannot have written: a rebuild skips
 * (and counts) it. (A lone surrogate in an id is valid JSON to Node, but Redis's JSON decoder
 * refuses it, and with it every entry sent along.)
 */
export function readArchiveLine(line: string): ArchiveLine | undefined {
  let parsed: ArchiveLine;
  try {
    parsed = parseArchiveLine(line);
  } catch {
    return undefined;
  }
  const { header, body } = parsed;
  const valid =
    isSqsId(header.message_id) &&
    isSqsId(header.source_message_id) &&
    (header.sent_at === undefined || isTime(header.sent_at)) &&
    isTime(header.archived_at) &&
    OUTCOME_KINDS.includes(header.outcome) &&
    (header.reason === undefined || isShortText(header.reason, MAX_REASON_LENGTH)) &&
    isValueMismatchPolicy(header.value_mismatch) &&
    Buffer.byteLength(body) <= SQS_LIMITS.bodyBytes &&
    isSqsSafe(body);
  return valid ? parsed : undefined;
}

function isShortText(value: unknown, maxLength: number): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= maxLength && isSqsSafe(value);
}

function isSqsId(value: unknown): value is string {
  return isShortText(value, SQS_LIMITS.idLength);
}

function isTime(value: unknown): value is string {
  return isShortText(value, MAX_TIME_LENGTH) && !Number.isNaN(Date.parse(value));
}

/** One line back: its header and the body exactly as it was received (unchecked: see readArchiveLine). */
export function parseArchiveLine(line: string): ArchiveLine {
  const bodyAt = line.indexOf(BODY_FIELD);
  if (bodyAt >= 0) {
    // Header values are JSON strings, whose quotes are escaped: the first `,"body":` is the field.
    const header = JSON.parse(`${line.slice(0, bodyAt)}}`) as ArchiveLineHeader;
    return { header, body: line.slice(bodyAt + BODY_FIELD.length, -1) };
  }
  const header = JSON.parse(line) as ArchiveLineHeader;
  if (typeof header.body_text !== "string") throw new Error("archive line without a body");
  return { header, body: header.body_text };
}

/**
 * The key of an archive object written at `at` by `writer` (unique per object: e.g. the
 * invocation's request id and the slice). Keys sort by time, so a listing reads them in order.
 */
export function archiveKey(at: Date, writer: string): string {
  return `${archiveKeyTimePrefix(at)}-${writer}.jsonl.gz`;
}

/** When the object under `key` was opened, as `archived_at` says it (ISO 8601); undefined for a key not made by archiveKey. */
export function archiveKeyTime(key: string): string | undefined {
  const stamp = /\/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-[^/]*$/.exec(key);
  if (!stamp) return undefined;
  const [, year, month, day, hour, minute, second, ms] = stamp;
  const at = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}.${ms}Z`);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** Every key written at or after `at` sorts after this. */
export function archiveKeyTimePrefix(at: Date): string {
  const iso = at.toISOString(); // 2026-11-25T12:14:43.123Z
  const [date = "", time = ""] = iso.split("T");
  const [year, month, day] = date.split("-");
  const hour = time.slice(0, 2);
  const stamp = `${date.replaceAll("-", "")}T${time.replaceAll(":", "").replace(".", "")}`;
  return `${ARCHIVE_ROOT}${year}/${month}/${day}/${hour}/${stamp}`;
}
