import { describe, expect, it } from "vitest";
import type { ConsumerLogEntry } from "../../lambdas/core/analytics-store";
import { seedLogMessage, seedLogTimestamp } from "../../lambdas/http/log-messages";

/** The original's log line formats (seed LOG-MESSAGES.md), one per outcome of a message. */

const entry = (outcome: ConsumerLogEntry["outcome"], details: Record<string, unknown>): ConsumerLogEntry => ({
  id: "1764058929000-0",
  outcome,
  details: { message_id: "m1", ...details },
});
const order = { message_id: "m1", order_id: "ORD4352", user_id: "U1000", order_value: 1024604.41 };

describe("seedLogMessage", () => {
  it.each([
    ["a counted order", entry("valid", order), "[USER: U1000] [ORDER: ORD4352] Processed successfully"],
    [
      "a corrected order",
      entry("valid", { ...order, corrected: true, computed_value: 864213.51 }),
      "[ERROR] Order value mismatch: 864213.51 != 1024604.41, fixing with correct value",
    ],
    [
      "a bad order id",
      entry("failed", { ...order, order_id: "BAD1", reason: "invalid_order_id" }),
      "[ERROR] Invalid/missing order ID: BAD1, skipping order",
    ],
    [
      "a bad user id",
      entry("failed", { ...order, user_id: "X1000", reason: "invalid_user_id" }),
      "[ERROR] Invalid/missing user ID: X1000, skipping order",
    ],
    [
      "a value that is not positive, printed as Python prints a float",
      entry("failed", { ...order, order_value: 0, reason: "non_positive_value" }),
      "[ERROR] Invalid/missing order value: 0.0, skipping order",
    ],
    [
      "a rejected mismatch",
      entry("failed", { ...order, order_value: 1300, computed_value: 1234.5, reason: "value_mismatch" }),
      "[ERROR] Order value mismatch: 1234.5 != 1300.0, tracking as failed order",
    ],
    [
      "a malformed message",
      entry("malformed", { message_id: "m1", reason: "malformed", details: ["body: not valid JSON"] }),
      "[ERROR] Error processing message: body: not valid JSON",
    ],
    [
      "a duplicate",
      entry("duplicate", order),
      "[USER: U1000] [ORDER: ORD4352] Duplicate of an order already counted, skipping order",
    ],
  ])("words %s as the original did", (_label, logEntry, line) => {
    expect(seedLogMessage(logEntry)).toBe(line);
  });
});

describe("seedLogMessage with control characters", () => {
  it("escapes them, so an order id holding a newline cannot add a forged line", () => {
    const forged = "X\n[USER: U1000] [ORDER: ORD9] Processed successfully";
    const line = seedLogMessage(entry("failed", { ...order, order_id: forged, reason: "invalid_order_id" }));
    expect(line).toBe(
      "[ERROR] Invalid/missing order ID: X\\n[USER: U1000] [ORDER: ORD9] Processed successfully, skipping order",
    );
    expect(seedLogMessage(entry("valid", { ...order, user_id: "U1\u001b[2J\u2028\u0085" }))).toBe(
      "[USER: U1\\u001b[2J\\u2028\\u0085] [ORDER: ORD4352] Processed successfully",
    );
  });
});

describe("seedLogTimestamp", () => {
  it("formats UTC to the second with a space, like the original", () => {
    expect(seedLogTimestamp(Date.parse("2026-11-25T08:22:09.734Z"))).toBe("2026-11-25 08:22:09");
  });
});
