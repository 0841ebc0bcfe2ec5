import { describe, expect, it } from "vitest";
import { describeFaults, faultsFromEnv, NO_FAULTS } from "../../local/faults";

/** The FAULT_* switches of local mode, read from the environment. */

describe("faultsFromEnv", () => {
  it("turns nothing on when nothing is set", () => {
    expect(faultsFromEnv({})).toEqual(NO_FAULTS);
    expect(describeFaults(faultsFromEnv({}))).toEqual([]);
  });

  it("reads every switch", () => {
    const faults = faultsFromEnv({
      FAULT_DUPLICATE_DELIVERY: "true",
      FAULT_CRASH_CONSUMER: "0.1",
      FAULT_REDIS_LATENCY_MS: "5",
      FAULT_REDIS_DROP_EVERY_MS: "2000",
      FAULT_SQS_SEND_FAILURE_RATE: "0.25",
      FAULT_ARCHIVE_WRITE_FAILURE_RATE: "1",
    });
    expect(faults).toEqual({
      duplicateDelivery: true,
      crashConsumerRate: 0.1,
      redisLatencyMs: 5,
      redisDropEveryMs: 2000,
      sqsSendFailureRate: 0.25,
      archiveWriteFailureRate: 1,
    });
    expect(describeFaults(faults)).toContain("redisLatencyMs=5");
  });

  it("refuses values out of range, naming each variable and what it expects", () => {
    expect(() =>
      faultsFromEnv({
        FAULT_CRASH_CONSUMER: "1.5",
        FAULT_REDIS_LATENCY_MS: "2.5",
        FAULT_DUPLICATE_DELIVERY: "yes",
      }),
    ).toThrow(
      'invalid FAULT_* settings: FAULT_DUPLICATE_DELIVERY: expected 0, 1, true or false, not "yes"; FAULT_CRASH_CONSUMER: expected a number from 0 to 1, not "1.5"; FAULT_REDIS_LATENCY_MS: expected a whole number of ms, not "2.5"',
    );
    expect(() => faultsFromEnv({ FAULT_SQS_SEND_FAILURE_RATE: "lots" })).toThrow(
      /FAULT_SQS_SEND_FAILURE_RATE/,
    );
  });
});
