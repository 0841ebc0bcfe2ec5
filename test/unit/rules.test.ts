import { describe, expect, it } from "vitest";
import type { OrderMessage } from "../../lambdas/core/order";
import {
  DEFAULT_JUDGING_RULES,
  firstBrokenRule as firstBrokenRuleOf,
  isValidUserId,
} from "../../lambdas/core/rules";
import { orderMessage } from "../support/factories";

/** Sent on the day the fixture order is dated. */
const SENT_AT_MS = Date.parse("2026-11-24T12:00:00Z");
const firstBrokenRule = (order: OrderMessage, valueCents: number) =>
  firstBrokenRuleOf(order, valueCents, DEFAULT_JUDGING_RULES, SENT_AT_MS);

const order = (overrides: Partial<OrderMessage> = {}): OrderMessage =>
  orderMessage(overrides) as OrderMessage;

describe("firstBrokenRule", () => {
  it("passes an order that keeps every rule", () => {
    expect(firstBrokenRule(order(), 123450)).toBeUndefined();
  });

  it.each([
    ["an order id not starting ORD", { order_id: "XRD01J9ZX" }, "invalid_order_id"],
    ["a lowercase ord prefix", { order_id: "ord01J9ZX" }, "invalid_order_id"],
    ["an empty order id", { order_id: "" }, "invalid_order_id"],
    ["a user id not starting U", { user_id: "X1003" }, "invalid_user_id"],
    ["a bare U", { user_id: "U" }, "invalid_user_id"],
    ["a user id with a colon", { user_id: "U1:2" }, "invalid_user_id"],
  ] as const)("fails %s", (_label, overrides, reason) => {
    expect(firstBrokenRule(order(overrides), 123450)).toBe(reason);
  });

  it("fails a zero or negative value", () => {
    const free = order({ order_value: 0, items: [{ product_id: "P001", quantity: 1, price_per_unit: 0 }] });
    expect(firstBrokenRule(free, 0)).toBe("non_positive_value");
    expect(firstBrokenRule(order({ order_value: -5 }), -500)).toBe("non_positive_value");
  });

  it("fails a value that differs from the items' sum by one cent", () => {
    expect(firstBrokenRule(order({ order_value: 1234.51 }), 123451)).toBe("value_mismatch");
    expect(firstBrokenRule(order({ order_value: 1234.49 }), 123449)).toBe("value_mismatch");
  });

  it("reports the first broken rule when several are broken", () => {
    const broken = order({ order_id: "BAD1", user_id: "X1", order_value: 0 });
    expect(firstBrokenRule(broken, 0)).toBe("invalid_order_id");
    expect(firstBrokenRule({ ...broken, order_id: "ORD1" }, 0)).toBe("invalid_user_id");
  });
});

describe("isValidUserId", () => {
  it.each(["U1000", "U1005", "Uabc_def-1"])("accepts %s", (id) => expect(isValidUserId(id)).toBe(true));
  it.each(["", "U", "u1000", "X1000", "U 1", "U1000\n"])("rejects %j", (id) =>
    expect(isValidUserId(id)).toBe(false),
  );
});
