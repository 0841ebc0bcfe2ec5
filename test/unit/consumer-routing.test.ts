import { describe, expect, it } from "vitest";
import type { RecordStatus } from "../../lambdas/core/analytics-store";
import { classifyMessage } from "../../lambdas/core/outcome";
import { DEFAULT_JUDGING_RULES } from "../../lambdas/core/rules";
import { routeRecords } from "../../lambdas/sqs/process-batch";
import { orderMessage, sqsRecord } from "../support/factories";

/**
 * The consumer's routing (process-batch.ts): where each record of a batch goes from its outcome
 * and what the store did with it. Pure; the consumer's integration tests cover it with Redis and SQS.
 */

const now = Date.parse("2026-11-25T00:00:00.000Z");
const judged = (body: string, messageId: string) => {
  const record = { ...sqsRecord(body), messageId };
  return { record, outcome: classifyMessage(body, DEFAULT_JUDGING_RULES, now) };
};
const valid = judged(JSON.stringify(orderMessage()), "m-valid");
const failed = judged(JSON.stringify(orderMessage({ order_id: "BAD01", user_id: "U1001" })), "m-failed");
const malformed = judged("{not json", "m-malformed");

function route(statuses: Record<string, RecordStatus>, records = [valid, failed, malformed]) {
  return routeRecords(records, new Map(Object.entries(statuses)));
}

describe("routeRecords", () => {
  it("retries what the store could not take, and what it gave no status for", () => {
    const { retry, deadLetters } = route({ "m-valid": "unavailable", "m-failed": "applied" });
    expect(retry).toEqual(new Set(["m-valid", "m-malformed"]));
    expect(deadLetters).toEqual([]); // a malformed record not stored is retried, not dead-lettered yet
  });

  it("retries what the store refused, as it retries what it could not take (the cause may be fixed meanwhile)", () => {
    const { retry, deadLetters } = route({
      "m-valid": "refused",
      "m-failed": "applied",
      "m-malformed": "refused",
    });
    expect(retry).toEqual(new Set(["m-valid", "m-malformed"]));
    expect(deadLetters).toEqual([]);
  });

  it("sends a counted malformed message to the dead-letter queue with its reason, and again when replayed", () => {
    for (const status of ["applied", "replayed"] as const) {
      const { retry, deadLetters } = route({
        "m-valid": "applied",
        "m-failed": "applied",
        "m-malformed": status,
      });
      expect(retry.size).toBe(0);
      expect(deadLetters).toEqual([
        {
          id: "m-malformed",
          body: "{not json",
          attributes: {
            reason: "malformed",
            details: expect.any(String),
            source_message_id: "m-malformed",
          },
        },
      ]);
    }
  });

  it("dead-letters an order the store refused as out of range, whatever its outcome, and retries nothing", () => {
    const { retry, deadLetters } = route({
      "m-valid": "out_of_range",
      "m-failed": "applied",
      "m-malformed": "applied",
    });
    expect(retry.size).toBe(0);
    expect(deadLetters.map((letter) => [letter.id, letter.attributes?.reason])).toEqual([
      ["m-valid", "out_of_range"],
      ["m-malformed", "malformed"],
    ]);
  });

  it("is done with valid, failed and duplicate orders the store took", () => {
    const { retry, deadLetters, settled } = route({ "m-valid": "applied", "m-failed": "duplicate" }, [
      valid,
      failed,
    ]);
    expect(retry.size).toBe(0);
    expect(deadLetters).toEqual([]);
    expect(settled.map(({ record, status }) => [record.messageId, status])).toEqual([
      ["m-valid", "applied"],
      ["m-failed", "duplicate"],
    ]);
  });

  it("keeps a redelivered dead letter's first message id", () => {
    const record = {
      ...malformed.record,
      messageAttributes: { source_message_id: { stringValue: "m-first", dataType: "String" } },
    };
    const { deadLetters } = route({ "m-malformed": "applied" }, [{ ...malformed, record }]);
    expect(deadLetters[0]?.attributes?.source_message_id).toBe("m-first");
  });
});
