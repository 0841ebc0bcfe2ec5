import { randomUUID } from "node:crypto";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import type { OutgoingMessage, SendResult } from "../adapters/sqs-sender";
import { analyticsEntry } from "../core/analytics-entry";
import type { AnalyticsEntry, AnalyticsStore, RecordStatus } from "../core/analytics-store";
import type { ArchivedMessage, ArchiveSink } from "../core/archive";
import { classifyMessage, type MessageOutcome } from "../core/outcome";
import { DEFAULT_JUDGING_RULES, type JudgingRules } from "../core/rules";
import type { logger as sharedLogger } from "../shared/logger";
import type { BatchReport } from "../shared/metrics";

/**
 * The consumer's one decision point: every record of a batch gets exactly one outcome (valid,
 * failed, duplicate, malformed or transient), and the batch response reports exactly the
 * transient ones, so SQS redelivers those and only those.
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
 * Records are classified a slice at a time, and each slice goes on at once: to the store (Redis
 * runs one slice's script while Node classifies the next) or, with an archive, to its compressor.
 */
export const RECORD_SLICE = 200;

/** Longest `details` attribute put on a dead letter. */
const MAX_DETAILS_LENGTH = 1_000;

export async function processBatch(
  records: readonly SQSRecord[],
  deps: ConsumerDeps,
): Promise<SQSBatchResponse> {
  const started = performance.now();
  const rules = deps.rules ?? DEFAULT_JUDGING_RULES;
  // The archive has the batch before Redis counts any of it: whatever Redis holds can be rebuilt.
  const archived = deps.archive?.open(randomUUID());
  const settled: Settled[] = [];
  const recorded: Promise<RecordStatus[]>[] = [];
  for (let start = 0; start < records.length; start += RECORD_SLICE) {
    const slice = records.slice(start, start + RECORD_SLICE).map((record): Settled => {
      const outcome = classifyMessage(record.body, rules, sentAtMs(record));
      return { record, outcome, status: "unavailable" };
    });
    settled.push(...slice);
    // Without an archive a slice goes to Redis now, counted while Node judges the next; with one,
    // it is compressed meanwhile instead.
    if (archived) archived.add(slice.map(toArchived(rules)));
    else recorded.push(deps.store.record(slice.map(toEntry)));
  }
  let notArchived = false;
  if (archived) {
    try {
      await archived.close();
      for (let start = 0; start < settled.length; start += RECORD_SLICE) {
        recorded.push(deps.store.record(settled.slice(start, start + RECORD_SLICE).map(toEntry)));
      }
    } catch (error) {
      // Nothing is counted: every record comes back, and is archived then.
      notArchived = true;
      deps.logger.error("archive write failed; the batch will be redelivered", { error: error as Error });
    }
  }
  const statuses = (await Promise.all(recorded)).flat();
  settled.forEach((item, index) => {
    item.status = statuses[index] ?? "unavailable";
  });

  const retry = new Set<string>();
  const deadLetters: OutgoingMessage[] = [];
  for (const { record, outcome, status } of settled) {
    if (status === "unavailable") {
      retry.add(record.messageId);
    } else if (status === "out_of_range") {
      // Not counted (nothing was written): kept in the DLQ, whatever the order was.
      deadLetters.push({
        id: record.messageId,
        body: record.body,
        attributes: {
          reason: "out_of_range",
          details:
            "counting it would take a counter past 9 x 10^18 (cents or orders), the most the store keeps",
          source_message_id: sourceMessageId(record),
        },
      });
    } else if (outcome.kind === "malformed") {
      // Counted already; the DLQ keeps the body and its reason so nothing is lost. A redelivery
      // (status "replayed") sends it again: the previous send may be why it came back.
      deadLetters.push({
        id: record.messageId,
        body: record.body,
        attributes: {
          reason: outcome.reason,
          details: outcome.details.join("; ").slice(0, MAX_DETAILS_LENGTH),
          source_message_id: sourceMessageId(record),
        },
      });
    }
    logOutcome(deps.logger, record, outcome, status);
  }

  if (deadLetters.length > 0) {
    const result = await deps.sendToDlq(deadLetters);
    for (const id of result.failed) retry.add(id);
    if (result.failed.length > 0) {
      deps.logger.error("dead letters not sent; they will be redelivered", {
        count: result.failed.length,
        error: result.lastError,
      });
    }
  }

  const summary = countStatuses(settled);
  deps.logger.info("batch processed", {
    records: records.length,
    retry: retry.size,
    ...summary,
    ...(notArchived ? { not_archived: records.length } : {}),
  });
  deps.report?.({
    size: records.length,
    valid: summary.valid,
    failedByReason: failuresByReason(settled),
    duplicates: summary.duplicate,
    malformed: summary.malformed,
    retried: retry.size,
    durationMs: Math.round(performance.now() - started),
  });
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
  return record.messageAttributes?.source_message_id?.stringValue || record.messageId;
}

function logOutcome(
  logger: ConsumerDeps["logger"],
  record: SQSRecord,
  outcome: MessageOutcome,
  status: RecordStatus,
): void {
  const orderId = outcome.kind === "malformed" ? undefined : outcome.order.order_id;
  const fields = { messageId: record.messageId, order_id: orderId, outcome: outcome.kind, status };
  if (status === "unavailable") logger.warn("record not stored; will be redelivered", fields);
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
  };
  for (const { outcome, status } of settled) {
    if (status === "applied") counts[outcome.kind]++;
    else counts[status]++;
  }
  return counts;
}
