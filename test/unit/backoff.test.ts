import { describe, expect, it } from "vitest";
import { retryDelaySeconds } from "../../lambdas/sqs/backoff";

/** min(base x 2^(receiveCount - 1) + jitter, max), jitter in [0, base). */

const settings = { baseSeconds: 2, maxSeconds: 60 };

describe("retryDelaySeconds", () => {
  it.each([
    [1, 2],
    [2, 4],
    [3, 8],
    [4, 16],
    [5, 32],
  ])("gives receive count %i a delay of %i s with no jitter", (receiveCount, seconds) => {
    expect(retryDelaySeconds(receiveCount, settings, () => 0)).toBe(seconds);
  });

  it.each([1, 2, 3, 4, 5])("adds at most the base as jitter (receive count %i)", (receiveCount) => {
    const none = retryDelaySeconds(receiveCount, settings, () => 0);
    expect(retryDelaySeconds(receiveCount, settings, () => 0.999)).toBe(none + 1);
    expect(retryDelaySeconds(receiveCount, { baseSeconds: 10, maxSeconds: 1000 }, () => 0.5)).toBe(
      10 * 2 ** (receiveCount - 1) + 5,
    );
  });

  it("never exceeds the maximum, however many receives", () => {
    expect(retryDelaySeconds(6, settings, () => 0.999)).toBe(60);
    expect(retryDelaySeconds(1000, settings, () => 0)).toBe(60);
  });

  it("treats a missing or odd receive count as the first", () => {
    expect(retryDelaySeconds(0, settings, () => 0)).toBe(2);
    expect(retryDelaySeconds(Number.NaN, settings, () => 0)).toBe(2);
  });
});
