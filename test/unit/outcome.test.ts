import { describe, expect, it } from "vitest";
import { utcMonthOf } from "../../lambdas/core/order";
import { classifyMessage } from "../../lambdas/core/outcome";
import { DEFAULT_JUDGING_RULES } from "../../lambdas/core/rules";
import { orderMessage } from "../support/factories";

const body = (overrides: Record<string, unknown> = {}) => JSON.stringify(orderMessage(overrides));

const CORRECT = { ...DEFAULT_JUDGING_RULES, valueMismatch: "correct" } as const;

describe("classifyMessage", () => {
  it("judges a correct order valid, with its month and value in cents", () => {
    const outcome = classifyMessage(body());
    expect(outcome).toMatchObject({ kind: "valid", month: "2026-11", valueCents: 123450 });
  });

  it.each([
    ["invalid_order_id", { order_id: "BAD1" }, "U1003"],
    ["invalid_user_id", { user_id: "X1003" }, undefined],
    ["non_positive_value", { order_value: 0, items: [] }, "U1003"],
    ["value_mismatch", { order_value: 1234.51 }, "U1003"],
  ])("judges a schema-valid order breaking a rule failed with reason %s", (reason, overrides, userId) => {
    const outcome = classifyMessage(body(overrides));
    expect(outcome).toMatchObject({ kind: "failed", reason, month: "2026-11" });
    expect(outcome.kind === "failed" ? outcome.userId : "not failed").toBe(userId);
  });

  it.each([
    ["invalid_order_id", { order_id: "X1", order_timestamp: "9999-11-30T00:00:00Z" }],
    ["non_positive_value", { order_value: 0, items: [], order_timestamp: "0001-01-01T00:00:00Z" }],
    ["invalid_user_id", { user_id: "X1", order_timestamp: "1999-12-31T23:59:59Z" }],
  ])(
    "gives a failed order (%s) dated out of range no month, whichever rule it broke first",
    (reason, overrides) => {
      expect(classifyMessage(body(overrides))).toMatchObject({ kind: "failed", reason, month: "" });
    },
  );

  it("with valueMismatch=correct, counts a mismatch valid at its line total and keeps the stated value", () => {
    const outcome = classifyMessage(body({ order_value: 1300 }), CORRECT);
    expect(outcome).toEqual({
      kind: "valid",
      order: expect.objectContaining({ order_value: 1300 }),
      month: "2026-11",
      valueCents: 123450,
      correctedFromCents: 130000,
    });
    // Only a mismatch is corrected: other rules still fail the order.
    expect(classifyMessage(body({ order_id: "BAD1", order_value: 1300 }), CORRECT).kind).toBe("failed");
    expect(classifyMessage(body({ order_value: 1300 }), DEFAULT_JUDGING_RULES)).toMatchObject({
      kind: "failed",
      reason: "value_mismatch",
      lineTotalCents: 123450,
    });
  });

  it.each([
    ["not JSON", "{order", "body: not valid JSON"],
    ["empty", "", "body: not valid JSON"],
    ["an array", "[1,2]", "body: must be a JSON object"],
    ["null", "null", "body: must be a JSON object"],
    ["a string", '"ORD1"', "body: must be a JSON object"],
    ["missing order_id", body({ order_id: undefined }), "order_id:"],
    ["order_value as a string", body({ order_value: "1234.50" }), "order_value:"],
    [
      "three-decimal amount",
      body({ order_value: 1234.505 }),
      "order_value: must be an amount with at most two",
    ],
    [
      "three-decimal price",
      body({ items: [{ product_id: "P1", quantity: 1, price_per_unit: 1.001 }] }),
      "items.0.price_per_unit:",
    ],
    [
      "negative price",
      body({ items: [{ product_id: "P1", quantity: 1, price_per_unit: -1 }] }),
      "items.0.price_per_unit:",
    ],
    [
      "fractional quantity",
      body({ items: [{ product_id: "P1", quantity: 1.5, price_per_unit: 1 }] }),
      "items.0.quantity:",
    ],
    ["items not an array", body({ items: {} }), "items:"],
    ["timestamp not ISO-8601", body({ order_timestamp: "24/11/2026 10:15" }), "order_timestamp:"],
    [
      "timestamp on a day that does not exist",
      body({ order_timestamp: "2026-02-30T10:00:00Z" }),
      "order_timestamp:",
    ],
    ["timestamp a number", body({ order_timestamp: 1764000000 }), "order_timestamp:"],
    ["an over-long id", body({ order_id: `ORD${"x".repeat(100)}` }), "order_id:"],
  ])("judges a body that is %s malformed, naming the problem", (_label, raw, detail) => {
    const outcome = classifyMessage(raw);
    expect(outcome.kind).toBe("malformed");
    expect(outcome.kind === "malformed" && outcome.details.join("\n")).toContain(detail);
  });

  it("survives deeply nested JSON as malformed", () => {
    const nested = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(classifyMessage(nested).kind).toBe("malformed");
  });

  it("bounds the number of details", () => {
    const outcome = classifyMessage(JSON.stringify({ items: Array.from({ length: 50 }, () => ({})) }));
    expect(outcome.kind === "malformed" && outcome.details.length).toBe(10);
  });
});

describe("utcMonthOf", () => {
  it.each([
    ["2026-11-24T10:15:00.000Z", "2026-11"],
    ["2025-12-01T10:15:00.123456", "2025-12"], // naive: read as UTC
    ["2026-01-01T00:30:00+01:00", "2025-12"], // an offset moves it to the UTC month
    ["2025-12-31T23:30:00-01:00", "2026-01"],
  ])("puts %s in %s", (timestamp, month) => {
    expect(utcMonthOf(timestamp)).toBe(month);
  });
});
