import { requireCents } from "./money";
import type { OrderItem, OrderMessage } from "./order";

/**
 * The seed's four business rules. An order that passes the schema but breaks one of them is a
 * failed order, counted with the reason of the first rule it breaks (in this order).
 */

export const FAILURE_REASONS = [
  "invalid_order_id",
  "invalid_user_id",
  "non_positive_value",
  "value_mismatch",
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/**
 * What a value mismatch means. `reject` (the default, the seed README's rule): a failed order.
 * `correct` (what the seed's code does): a valid order counted at its line total, counted apart
 * as corrected.
 */
export const VALUE_MISMATCH_POLICIES = ["reject", "correct"] as const;
export type ValueMismatchPolicy = (typeof VALUE_MISMATCH_POLICIES)[number];

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

/** The first rule the order breaks, or `undefined` when it breaks none. */
export function firstBrokenRule(order: OrderMessage, valueCents: number): FailureReason | undefined {
  if (!ORDER_ID_PATTERN.test(order.order_id)) return "invalid_order_id";
  if (!isValidUserId(order.user_id)) return "invalid_user_id";
  if (valueCents <= 0) return "non_positive_value";
  // Every term is a non-negative integer, so the sum is exact until it passes 2^53, which is far
  // above any accepted order value: an inexact sum can never compare equal by accident.
  if (itemsTotalCents(order.items) !== valueCents) return "value_mismatch";
  return undefined;
}
