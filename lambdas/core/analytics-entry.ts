import type { AnalyticsEntry } from "./analytics-store";
import type { ConsumerLogDetails } from "./log-entry";
import { fromCents } from "./money";
import type { MessageOutcome } from "./outcome";

/** Problems of a malformed message kept in its log entry (the dead letter names the first ones too). */
const MAX_LOGGED_PROBLEMS = 10;

/**
 * What a message, judged, asks the store to record: the same for the live consumer and for a
 * rebuild from the archive, so that both count exactly alike.
 *
 * `messageId` is the id of this delivery's message; `sourceMessageId` the id the message first
 * had (a redriven dead letter is a new message with the first one's id as an attribute: it must
 * not count as a second malformed message); `sentAtMs` when it was sent.
 */
export function analyticsEntry(
  messageId: string,
  sourceMessageId: string,
  outcome: MessageOutcome,
  sentAtMs: number,
): AnalyticsEntry {
  switch (outcome.kind) {
    case "valid": {
      const corrected = outcome.correctedFromCents !== undefined;
      // The log keeps the value as stated; a corrected order also notes what it was counted at.
      const correction = corrected ? { corrected: true, computed_value: fromCents(outcome.valueCents) } : {};
      return {
        kind: "valid",
        messageId,
        orderId: outcome.order.order_id,
        userId: outcome.order.user_id,
        month: outcome.month,
        valueCents: outcome.valueCents,
        corrected,
        sentAtMs,
        log: logLine({ message_id: messageId, ...outcome.order, ...correction }),
      };
    }
    case "failed": {
      const lineTotal =
        outcome.lineTotalCents === undefined ? {} : { computed_value: fromCents(outcome.lineTotalCents) };
      return {
        kind: "failed",
        messageId,
        orderId: outcome.order.order_id,
        reason: outcome.reason,
        userId: outcome.userId,
        month: outcome.month,
        sentAtMs,
        log: logLine({
          message_id: messageId,
          ...outcome.order,
          reason: outcome.reason,
          ...lineTotal,
        }),
      };
    }
    case "malformed":
      return {
        kind: "malformed",
        messageId: sourceMessageId,
        // Bounded: a message with thousands of problems keeps the first few, each cut short.
        log: logLine({
          message_id: messageId,
          reason: outcome.reason,
          details: outcome.details.slice(0, MAX_LOGGED_PROBLEMS).map((problem) => problem.slice(0, 200)),
        }),
      };
  }
}

/** The log entry's details as stored: JSON of the one schema (core/log-entry.ts). */
function logLine(details: ConsumerLogDetails): string {
  return JSON.stringify(details);
}
