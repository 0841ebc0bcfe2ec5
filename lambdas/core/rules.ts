import { requireCents } from "./money";
import { type OrderItem, type OrderMessage, timestampWithZone, utcMonthOf } from "./order";

/**
 * The seed's four business rules, and two bounds that keep one writer from spoiling the figures
 * for everyone: an order worth more than any real one, or dated where no real order is. An order
 * that passes the schema but breaks one of them is a failed order, counted with the reason of the
 * first rule it breaks (in this order).
 */

export const FAILURE_REASONS = [
  "invalid_order_id",
  "invalid_user_id",
  "non_positive_value",
  "value_too_large",
  "date_out_of_range",
  "value_mismatch",
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** How orders are judged beyond the seed's rules: stack parameters, the same live and in a rebuild. */
export interface JudgingRules {
  valueMismatch: ValueMismatchPolicy;
  /** An order worth more (stated, or its items' total) is failed with `value_too_large`. */
  maxOrderValueCents: number;
  /** Orders dated before January 1 of this year (UTC) are failed with `date_out_of_range`... */
  firstYear: number;
  /** ...and so are those dated later than this after the message was sent. */
  futureToleranceMs: number;
}

/**
 * The defaults admit every order the original's generator makes: at most 100 items of quantity
 * 100 at 1,500.00, so 15,000,000.00; stamped now (or spread over past days).
 */
export const DEFAULT_JUDGING_RULES: JudgingRules = {
  valueMismatch: "reject",
  maxOrderValueCents: 1_500_000_000,
  firstYear: 2000,
  futureToleranceMs: 24 * 3600 * 1000,
};

/**
 * What a value mismatch means. `reject` (the default, the seed README's rule): a failed order.
 * `correct` (what the seed's code does): a valid order counted at its line total, counted apart
 * as corrected.
 */
export const VALUE_MISMATCH_POLICIES = ["reject", "correct"] as const;
export type ValueMismatchPolicy = (typeof VALUE_MISMATCH_POLICIES)[number];

/** True when `value` names a value-mismatch policy. */
export function isValueMismatchPolicy(value: unknown): value is ValueMismatchPolicy {
  return (VALUE_MISMATCH_POLICIES as readonly unknown[]).includes(value);
}

/** `ORD` then letters, digits, `_` or `-`: safe to embed in Redis keys and URLs. */
const ORDER_ID_PATTERN = /^ORD[A-Za-z0-9_-]*$/;
/** `U` then at least one letter, digit, `_` or `-` (the seed's users are U1000-U1005). */
export const USER_ID_PATTERN = /^U[A-Za-z0-9_-]+$/;

/** True when `userId` names a user whose figures can be kept. */
export function isValidUserId(userId: string): boolean {
  return USER_ID_PATTERN.test(userId);
}

/** Sum of quantity x price over the items, in cents, computed in integers. */
export function itemsTotalCents(items: readonly OrderItem[]): number {
  let total = 0;
  for (const item of items) {
    total += item.quantity * requireCents(item.price_per_unit);
  }
  return total;
}

/**
 * The first rule the order breaks, or `undefined` when it breaks none. `sentAtMs` is when the
 * message was sent: the date bound is judged against it, not the clock, so that a rebuild from the
 * archive judges every order as it was judged live.
 */
export function firstBrokenRule(
  order: OrderMessage,
  valueCents: number,
  rules: JudgingRules,
  sentAtMs: number,
): FailureReason | undefined {
  if (!ORDER_ID_PATTERN.test(order.order_id)) return "invalid_order_id";
  if (!isValidUserId(order.user_id)) return "invalid_user_id";
  if (valueCents <= 0) return "non_positive_value";
  // Every term is a non-negative integer, so the sum is exact until it passes 2^53, which is far
  // above any accepted order value: an inexact sum can never compare equal by accident.
  const itemsCents = itemsTotalCents(order.items);
  // The items' total counts too: the `correct` policy would count the order at it.
  if (Math.max(valueCents, itemsCents) > rules.maxOrderValueCents) return "value_too_large";
  if (!isAcceptedDate(order.order_timestamp, rules, sentAtMs)) return "date_out_of_range";
  if (itemsCents !== valueCents) return "value_mismatch";
  return undefined;
}

/**
 * The month an order counts in: its UTC month when its date is accepted, else none (""). Whatever
 * its outcome and whichever rule it broke first, only an accepted date makes a month: a failed
 * order dated 9999 must not add one any more than a valid one could.
 */
export function countedMonth(timestamp: string, rules: JudgingRules, sentAtMs: number): string {
  return isAcceptedDate(timestamp, rules, sentAtMs) ? utcMonthOf(timestamp) : "";
}

/** True when the order's date falls from January of `firstYear` to the tolerance after it was sent. */
function isAcceptedDate(timestamp: string, rules: JudgingRules, sentAtMs: number): boolean {
  const at = Date.parse(timestampWithZone(timestamp));
  return at >= Date.UTC(rules.firstYear, 0, 1) && at <= sentAtMs + rules.futureToleranceMs;
}
