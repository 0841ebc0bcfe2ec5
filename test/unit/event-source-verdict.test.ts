import { describe, expect, it } from "vitest";
import { judgeBatchResponse } from "../../local/event-source";

const batch = new Set(["m1", "m2", "m3"]);

describe("judgeBatchResponse (AWS's rules for partial batch responses)", () => {
  it.each([
    ["an empty failure list", { batchItemFailures: [] }],
    ["a null failure list", { batchItemFailures: null }],
    ["an empty response", {}],
    ["a null response", null],
    ["no response", undefined],
  ])("treats %s as complete success", (_label, response) => {
    expect(judgeBatchResponse(response, batch, true)).toEqual({ kind: "success" });
  });

  it("retries only the listed messages", () => {
    expect(judgeBatchResponse({ batchItemFailures: [{ itemIdentifier: "m2" }] }, batch, true)).toEqual({
      kind: "partial",
      failedIds: new Set(["m2"]),
    });
  });

  it.each([
    ["an empty itemIdentifier", { batchItemFailures: [{ itemIdentifier: "" }] }],
    ["a null itemIdentifier", { batchItemFailures: [{ itemIdentifier: null }] }],
    ["a badly named key", { batchItemFailures: [{ itemId: "m1" }] }],
    ["an id not in the batch", { batchItemFailures: [{ itemIdentifier: "m9" }] }],
    ["a failure list that is not a list", { batchItemFailures: "m1" }],
    ["a response that is not an object", "ok"],
  ])("fails the whole batch for %s", (_label, response) => {
    expect(judgeBatchResponse(response, batch, true).kind).toBe("failure");
  });

  it("ignores the response when ReportBatchItemFailures is off", () => {
    expect(judgeBatchResponse({ batchItemFailures: [{ itemIdentifier: "m1" }] }, batch, false)).toEqual({
      kind: "success",
    });
  });
});
