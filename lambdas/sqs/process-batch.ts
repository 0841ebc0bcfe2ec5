import { randomUUID } from "node:crypto";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import type { OutgoingMessage, SendResult } from "../adapters/sqs-sender";
import { analyticsEntry } from "../core/analytics-entry";
import type { AnalyticsEntry, AnalyticsStore, RecordStatus } from "../core/analytics-store";
import type { ArchivedMessage, ArchiveSink } from "../core/archive";
import { chunks } from "../core/chunks";
import { type DeadLetterAttributes, SOURCE_MESSAGE_ID_ATTRIBUTE } from "../core/dead-letter";
import { classifyMessage, type MessageOutcome } from "../core/outcome";
import { DEFAULT_JUDGING_RULES, type JudgingRules } from "../core/rules";
import type { logger as sharedLogger } from "../shared/logger";
import type { BatchReport } from "../shared/metrics";
import { inSpan } from "../shared/tracing";

/**
 * The consumer's one decision point: every record of a batch gets exactly one outcome (valid,
 * failed, duplicate, malformed or transient), and the batch response reports exactly the
 * transient ones, so SQS redelivers those and only those. Four steps: judge each body, persist
 * (archive, then Redis), route each record by what the store did (retry, dead-letter, done), and
 * report (log, metrics, backoff).
 */

export interface ConsumerDeps {
  store: AnalyticsStore;
  /** Sends dead letters (malformed messages, with their reason) to the DLQ. */
  sendToDlq: (messages: readonly OutgoingMessage[]) => Promise<SendResult>;
  logger: Pick<typeof sharedLogger, "debug" | "info" | "warn" | "error">;
  /** How orders are judged (the stack's parameters; DEFAULT_JUDGING_RULES when not given). */
  rules?: JudgingRules;
  /** Told what each batch did (the consumer publishes it as metrics), failed batches included. */
  report?: (report: BatchReport) => void;
  /**
   * Delays the redelivery of the records to be retried (per-message backoff). A failure here only
   * means they come back after the queue's visibility timeout instead: nothing is lost.
   */
  delayRetries?: (records: readonly SQSRecord[]) => Promise<void>;
  /**
   * The durable archive: every batch's settled messages are written there (one object) before
   * Redis counts them. A batch whose write fails is retried whole, never acknowledged.
   */
  archive?: ArchiveSink;
}

/** Raised when no record of a batch could be processed, so that Lambda backs off and retries. */
export class BatchFailedError extends Error {
  override name = "BatchFailedError";
}

/**
 * Records are judged a slice at a time, and each slice goes on at once: to the store (Redis runs
 * one slice's script while Node judges the next) or, with an archive, to its compressor.
 */
export const RECORD_SLICE = 200;

/** Longest `details` attribute put on a dead letter. */
const MAX_DETAILS_LENGTH = 1_000;

const OUT_OF_RANGE_DETAILS =
  "counting it would take a counter past 9 x 10^18 (cents or orders), the most the store keeps";

export async function processBatch(
  records: readonly SQSRecord[],
  deps: ConsumerDeps,
): Promise<SQSBatchResponse> {
  const started = performance.now();
  const rules = deps.rules ?? DEFAULT_JUDGING_RULES;
  const persister = deps.archive
    ? archiveThenRecord(deps.archive, deps.store, rules, deps.logger)
    : recordAsJudged(deps.store);
  const judged: JudgedRecord[] = [];
  for (const group of chunks(records, RECORD_SLICE)) {
    const slice = group.map((record) => judge(record, rules));
    judged.push(...slice);
    persister.add(slice);
  }
  const statuses = await persister.settle();
  const { retry, deadLetters, settled } = routeRecords(judged, statuses);
  for (const { record, outcome, status } of settled) logOutcome(deps.logger, record, outcome, status);
  for (const id of await sendDeadLetters(deadLetters, deps)) retry.add(id);
  reportBatch(settled, retry, { deps, started, notArchived: persister.archiveFailed });
  if (retry.size > 0 && deps.delayRetries) {
    await deps.delayRetries(records.filter((record) => retry.has(record.messageId))).catch((error: unknown) =>
      deps.logger.warn("retry delays not set; the messages return after the visibility timeout", {
        error: error as Error,
      }),
    );
  }
  if (records.length > 0 && retry.size === records.length) {
    throw new BatchFailedError(`none of the ${records.length} records could be processed`);
  }
  return { batchItemFailures: [...retry].map((itemIdentifier) => ({ itemIdentifier })) };
}

/** One record of the batch and what it is. */
interface JudgedRecord {
  record: SQSRecord;
  outcome: MessageOutcome;
}

/** ...and what the store did with it. */
interface Settled extends JudgedRecord {
  status: RecordStatus;
}

function judge(record: SQSRecord, rules: JudgingRules): JudgedRecord {
  return { record, outcome: classifyMessage(record.body, rules, sentAtMs(record)) };
}

/** Takes the judged records slice by slice; settles with what the store did with each, by message id. */
interface Persister {
  add(slice: readonly JudgedRecord[]): void;
  settle(): Promise<Map<string, RecordStatus>>;
  /** True once the archive write failed (then nothing was counted). */
  readonly archiveFailed: boolean;
}

/** No archive: each slice goes to Redis as soon as it is judged, counted while Node judges the next. */
function recordAsJudged(store: AnalyticsStore): Persister {
  const recorded: Promise<Map<string, RecordStatus>>[] = [];
  return {
    add: (slice) => recorded.push(recordSlice(store, slice)),
    settle: async () => new Map((await Promise.all(recorded)).flatMap((statuses) => [...statuses])),
    archiveFailed: false,
  };
}

/**
 * The archive first (ADR 0006): each slice is compressed while the next is judged; only once the
 * batch's object is written does Redis count anything. If the write fails nothing is counted, and
 * every record comes back (and is archived then).
 */
function archiveThenRecord(
  archive: ArchiveSink,
  store: AnalyticsStore,
  rules: JudgingRules,
  logger: ConsumerDeps["logger"],
): Persister {
  const object = archive.open(randomUUID(), rules.valueMismatch);
  const slices: (readonly JudgedRecord[])[] = [];
  const persister = {
    archiveFailed: false,
    add(slice: readonly JudgedRecord[]) {
      slices.push(slice);
      object.add(slice.map(toArchived(rules)));
    },
    async settle(): Promise<Map<string, RecordStatus>> {
      try {
        await inSpan("archive PutObject", { "aws.s3.records": slices.flat().length }, () => object.close());
      } catch (error) {
        persister.archiveFailed = true;
        logger.error("archive write failed; the batch will be redelivered", { error: error as Error });
        return new Map();
      }
      const recorded = await Promise.all(slices.map((slice) => recordSlice(store, slice)));
      return new Map(recorded.flatMap((statuses) => [...statuses]));
    },
  };
  return persister;
}

/** What the store did with each record of a slice, by message id. */
async function recordSlice(
  store: AnalyticsStore,
  slice: readonly JudgedRecord[],
): Promise<Map<string, RecordStatus>> {
  const statuses = await inSpan(
    "Redis record",
    { "db.system": "redis", "orders.records": slice.length },
    () => store.record(slice.map(toEntry)),
  );
  // A record the store gave no status for is left out: routeRecords retries it.
  return new Map(
    slice.flatMap(({ record }, index) => {
      const status = statuses[index];
      return status === undefined ? [] : [[record.messageId, status] as const];
    }),
  );
}

/**
 * Where each record goes, from what the store did with it: retried (the store could not take it,
 * or no status came back), to the dead-letter queue (out of range: not counted; malformed: counted,
 * and kept there with its reason), or nowhere (done). Pure: `test/unit/consumer-routing.test.ts`.
 */
export function routeRecords(
  judged: readonly JudgedRecord[],
  statuses: ReadonlyMap<string, RecordStatus>,
): { retry: Set<string>; deadLetters: OutgoingMessage[]; settled: Settled[] } {
  const retry = new Set<string>();
  const deadLetters: OutgoingMessage[] = [];
  const settled = judged.map(({ record, outcome }): Settled => {
    const status = statuses.get(record.messageId) ?? "unavailable";
    // Refused by Redis: retried like a record it could not take (it may be a key of the wrong
    // type, which an operator can fix), until SQS dead-letters it after maxReceiveCount.
    if (status === "unavailable" || status === "refused") retry.add(record.messageId);
    else if (status === "out_of_range")
      deadLetters.push(deadLetter(record, "out_of_range", OUT_OF_RANGE_DETAILS));
    // Counted already; a redelivery ("replayed") is sent again: the previous send may be why it came back.
    else if (outcome.kind === "malformed")
      deadLetters.push(deadLetter(record, outcome.reason, outcome.details.join("; ")));
    return { record, outcome, status };
  });
  return { retry, deadLetters, settled };
}

function deadLetter(record: SQSRecord, reason: string, details: string): OutgoingMessage {
  const attributes: DeadLetterAttributes = {
    reason,
    details: details.slice(0, MAX_DETAILS_LENGTH),
    source_message_id: sourceMessageId(record),
  };
  return { id: record.messageId, body: record.body, attributes: { ...attributes } };
}

/** Sends the dead letters; returns the ids of those not sent (to be retried). */
async function sendDeadLetters(
  deadLetters: readonly OutgoingMessage[],
  deps: ConsumerDeps,
): Promise<string[]> {
  if (deadLetters.length === 0) return [];
  const result = await deps.sendToDlq(deadLetters);
  if (result.failed.length > 0) {
    deps.logger.error("dead letters not sent; they will be redelivered", {
      count: result.failed.length,
      error: result.lastError,
    });
  }
  return result.failed;
}

/** One log line and one metrics report per batch. */
function reportBatch(
  settled: readonly Settled[],
  retry: ReadonlySet<string>,
  context: { deps: ConsumerDeps; started: number; notArchived: boolean },
): void {
  const { deps, started, notArchived } = context;
  const summary = countStatuses(settled);
  deps.logger.info("batch processed", {
    records: settled.length,
    retry: retry.size,
    ...summary,
    ...(notArchived ? { not_archived: settled.length } : {}),
  });
  deps.report?.({
    size: settled.length,
    valid: summary.valid,
    failedByReason: failuresByReason(settled),
    duplicates: summary.duplicate,
    malformed: summary.malformed,
    retried: retry.size,
    durationMs: Math.round(performance.now() - started),
  });
}

/** What the store counts for a judged record (exported for the consumer benchmark's steps). */
export function toEntry({ record, outcome }: JudgedRecord): AnalyticsEntry {
  return analyticsEntry(record.messageId, sourceMessageId(record), outcome, sentAtMs(record));
}

/** How a judged record is archived (exported for the consumer benchmark's steps). */
export function toArchived(rules: JudgingRules) {
  return ({ record, outcome }: JudgedRecord): ArchivedMessage => ({
    messageId: record.messageId,
    sourceMessageId: sourceMessageId(record),
    sentAt: new Date(sentAtMs(record)).toISOString(),
    outcome: outcome.kind,
    reason: outcome.kind === "valid" ? undefined : outcome.reason,
    valueMismatch: rules.valueMismatch,
    body: record.body,
  });
}

/**
 * When SQS received the message (its SentTimestamp), or now when a record lacks it: the time the
 * order is judged against and its exactly-once marker dated by, archived so a rebuild uses it too.
 */
function sentAtMs(record: SQSRecord): number {
  const sent = Number(record.attributes?.SentTimestamp);
  return Number.isFinite(sent) && sent > 0 ? sent : Date.now();
}

/** The id a message first had: kept in `source_message_id` when it went through the dead-letter queue. */
function sourceMessageId(record: SQSRecord): string {
  return record.messageAttributes?.[SOURCE_MESSAGE_ID_ATTRIBUTE]?.stringValue || record.messageId;
}

function logOutcome(
  logger: ConsumerDeps["logger"],
  record: SQSRecord,
  outcome: MessageOutcome,
  status: RecordStatus,
): void {
  const orderId = outcome.kind === "malformed" ? undefined : outcome.order.order_id;
  const fields = { messageId: record.messageId, order_id: orderId, outcome: outcome.kind, status };
  if (status === "unavailable" || status === "refused")
    logger.warn("record not stored; will be redelivered", fields);
  else if (status === "out_of_range")
    logger.error("order refused: a total would leave the exact range", fields);
  else if (outcome.kind === "malformed")
    logger.warn("malformed message", { ...fields, details: outcome.details });
  else if (outcome.kind === "failed") logger.debug("failed order", { ...fields, reason: outcome.reason });
  else logger.debug("order recorded", fields);
}

/** Failed orders counted by this batch, by reason (malformed included), as the store counted them. */
function failuresByReason(settled: readonly Settled[]): Record<string, number> {
  const byReason: Record<string, number> = {};
  for (const { outcome, status } of settled) {
    if (status === "applied" && outcome.kind !== "valid")
      byReason[outcome.reason] = (byReason[outcome.reason] ?? 0) + 1;
  }
  return byReason;
}

function countStatuses(settled: readonly Settled[]) {
  const counts = {
    valid: 0,
    failed: 0,
    malformed: 0,
    duplicate: 0,
    replayed: 0,
    out_of_range: 0,
    unavailable: 0,
    refused: 0,
  };
  for (const { outcome, status } of settled) {
    if (status === "applied") counts[outcome.kind]++;
    else counts[status]++;
  }
  return counts;
}
