import type { ConsumerLogDetails } from "./log-entry";
import type { Cents } from "./money";
import type { FailureReason } from "./rules";

/**
 * The port between the domain and the analytics database. One real adapter implements it
 * (adapters/redis-store.ts); the domain and the handlers only see these types.
 */

/** One message's effect, ready to be recorded exactly once. */
export type AnalyticsEntry =
  | {
      kind: "valid";
      messageId: string;
      orderId: string;
      userId: string;
      month: string;
      valueCents: number;
      /** Counted at its line total after a value mismatch (policy `correct`): counted apart too. */
      corrected?: boolean;
      /** When the message was sent: an order id's marker expires by these times (see the store). */
      sentAtMs: number;
      /** The consumer log line for this message (JSON text, kept in the capped log). */
      log: string;
    }
  | {
      kind: "failed";
      messageId: string;
      /** Counted once per order id, like a valid order: a later message with it is a duplicate. */
      orderId: string;
      reason: FailureReason;
      userId: string | undefined;
      /** Empty when the order's date is out of range: it creates no month. */
      month: string;
      sentAtMs: number;
      log: string;
    }
  | { kind: "malformed"; messageId: string; log: string };

/**
 * What recording did with an entry:
 * - `applied`: counted now;
 * - `duplicate`: an order whose `order_id` another message already counted, valid or failed (counted as a duplicate);
 * - `replayed`: this very message was recorded before (a redelivery), nothing changed;
 * - `out_of_range`: counting it would take a counter past MAX_COUNTER; refused whole, nothing
 *   changed (dead-lettered);
 * - `unavailable`: the store could not be reached; nothing changed, the message must be retried;
 * - `refused`: the store ran and refused this entry itself (text Redis's JSON decoder will not
 *   take, a key of another type); nothing changed, and the same entry is refused again until the
 *   cause is gone. The consumer retries it like `unavailable`; a rebuild skips and counts it.
 */
export type RecordStatus = "applied" | "duplicate" | "replayed" | "out_of_range" | "unavailable" | "refused";

/** How long an exactly-once marker lives: SQS keeps messages 4 days by default, markers must outlive any redelivery. */
export const DEFAULT_MARKER_TTL_SECONDS = 4 * 24 * 3600;
/** How many consumer log entries the store keeps (the latest). */
export const DEFAULT_LOG_MAX_LENGTH = 10_000;

/**
 * The most any counter may reach (cents or orders): 9 x 10^18, below Redis's 64-bit limit. At the
 * largest order the stack admits by default (15,000,000.00) that is 6 billion orders; the API
 * shows every figure up to it exactly (money past 2^53 cents as exact JSON number text).
 */
export const MAX_COUNTER = 9e18;

export interface UserStats {
  orderCount: number;
  spendCents: Cents;
  failedOrderCount: number;
}

export interface TotalsStats {
  totalOrders: number;
  revenueCents: Cents;
  failedOrders: number;
  duplicates: number;
  /** Valid orders whose value was corrected to their line total (policy `correct`). */
  correctedOrders: number;
  /** Failed orders by reason, `malformed` included; only reasons that occurred. */
  failedByReason: Record<string, number>;
}

export interface MonthStats extends TotalsStats {
  month: string;
  /** The month's users, highest spend first (at most the requested limit). */
  users: (UserStats & { userId: string })[];
  /** How many users the month has in all. */
  userCount: number;
}

export interface Rankings {
  bySpend: { userId: string; spendCents: Cents }[];
  byOrderCount: { userId: string; orderCount: number }[];
}

export interface ConsumerLogEntry {
  /** The log stream's id: the time it was recorded, in ms, and a sequence number. */
  id: string;
  outcome: "valid" | "failed" | "duplicate" | "malformed";
  /** The entry's details as recorded (message id, order id, user, value, reason, ...). */
  details: ConsumerLogDetails;
}

export interface AnalyticsStore {
  /** Records entries exactly once each; never throws for an unreachable store (see RecordStatus). */
  record(entries: readonly AnalyticsEntry[]): Promise<RecordStatus[]>;
  userStats(userId: string): Promise<UserStats | undefined>;
  globalStats(): Promise<TotalsStats>;
  monthStats(month: string, userLimit: number): Promise<MonthStats | undefined>;
  months(): Promise<string[]>;
  /** The totals of each of these months, in the same order (zeros for a month without data). */
  monthTotals(months: readonly string[]): Promise<TotalsStats[]>;
  rankings(limit: number): Promise<Rankings>;
  latestLogs(limit: number): Promise<ConsumerLogEntry[]>;
  /** Deletes every key of this store's prefix, and only those; returns how many. */
  clear(): Promise<number>;
  ping(): Promise<boolean>;
}
