import { describeIssues } from "./issues";
import { requireCents } from "./money";
import { canonicalTimestamp, type OrderMessage, OrderMessageSchema } from "./order";
import { isOrderMessage } from "./order-check";
import {
  countedMonth,
  DEFAULT_JUDGING_RULES,
  type FailureReason,
  firstBrokenRule,
  isValidUserId,
  itemsTotalCents,
  type JudgingRules,
} from "./rules";

/**
 * What the analytics keep of an order, its timestamp in one canonical form. The items are summed
 * during classification and then let go: a batch of thousands of outcomes would otherwise hold
 * every parsed item until it ends.
 */
type OrderSummary = Pick<OrderMessage, "order_id" | "user_id" | "order_timestamp" | "order_value">;

/**
 * What one message is, judged on its body alone. Whether a valid order is a duplicate needs the
 * store's memory, and "transient" is a property of delivery, so neither is decided here.
 */
export type MessageOutcome =
  | {
      kind: "valid";
      order: OrderSummary;
      month: string;
      valueCents: number;
      /** Set when the value did not match the items and the policy corrected it: the stated value. */
      correctedFromCents?: number;
    }
  | {
      kind: "failed";
      reason: FailureReason;
      order: OrderSummary;
      /** Empty when its date is out of range, whichever rule it broke first: it creates no month. */
      month: string;
      valueCents: number;
      /** The user to charge the failure to, when `user_id` is a valid user id. */
      userId: string | undefined;
      /** For a value mismatch: what the items add up to. */
      lineTotalCents?: number;
    }
  | { kind: "malformed"; reason: "malformed"; details: string[] };

/**
 * Classifies one raw message body as valid, failed (with its reason) or malformed, under these
 * rules, for a message sent at `sentAtMs` (the date bound is judged against it).
 */
export function classifyMessage(
  body: string,
  rules: JudgingRules = DEFAULT_JUDGING_RULES,
  sentAtMs: number = Date.now(),
): MessageOutcome {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return malformed(["body: not valid JSON"]);
  }
  return classifyOrder(json, rules, sentAtMs);
}

function classifyOrder(json: unknown, rules: JudgingRules, sentAtMs: number): MessageOutcome {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return malformed(["body: must be a JSON object"]);
  }
  let order: OrderMessage;
  if (isOrderMessage(json)) {
    order = json;
  } else {
    // The slow path names the problem (and is the final word should the fast check ever differ).
    const parsed = OrderMessageSchema.safeParse(json);
    if (!parsed.success) return malformed(describeIssues(parsed.error.issues));
    order = parsed.data;
  }
  const valueCents = requireCents(order.order_value);
  const reason = firstBrokenRule(order, valueCents, rules, sentAtMs);
  const month = countedMonth(order.order_timestamp, rules, sentAtMs);
  const { order_id, user_id, order_value } = order;
  const order_timestamp = canonicalTimestamp(order.order_timestamp);
  const summary: OrderSummary = { order_id, user_id, order_timestamp, order_value };
  if (reason === undefined) return { kind: "valid", order: summary, month, valueCents };
  const userId = isValidUserId(user_id) ? user_id : undefined;
  if (reason !== "value_mismatch")
    return { kind: "failed", reason, order: summary, month, valueCents, userId };
  const lineTotalCents = itemsTotalCents(order.items);
  if (rules.valueMismatch === "correct") {
    return {
      kind: "valid",
      order: summary,
      month,
      valueCents: lineTotalCents,
      correctedFromCents: valueCents,
    };
  }
  return { kind: "failed", reason, order: summary, month, valueCents, userId, lineTotalCents };
}

function malformed(details: string[]): MessageOutcome {
  return { kind: "malformed", reason: "malformed", details };
}
