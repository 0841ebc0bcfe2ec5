import { describe, expect, it } from "vitest";
import { formatLogLine } from "../../local/logs";

/** Local mode's function log lines, as people read them. */

describe("formatLogLine", () => {
  it("shows a Powertools line as its level, message and the fields that matter", () => {
    const line = JSON.stringify({ level: "INFO", message: "batch processed", service: "s", records: 20 });
    expect(formatLogLine("Consumer", line, false)).toMatch(/ Consumer +INFO +batch processed records=20$/);
  });

  it("shows an Embedded Metric Format line as METRIC name=value, with its dimensions", () => {
    const line = JSON.stringify({
      _aws: {
        Timestamp: 1,
        CloudWatchMetrics: [
          {
            Namespace: "OrdersPipeline",
            Dimensions: [["service", "reason"]],
            Metrics: [
              { Name: "OrdersFailedByReason", Unit: "Count" },
              { Name: "BatchDuration", Unit: "Milliseconds" },
            ],
          },
        ],
      },
      service: "orders-pipeline",
      reason: "value_mismatch",
      OrdersFailedByReason: 3,
      BatchDuration: 12,
    });
    expect(formatLogLine("Consumer", line, false)).toMatch(
      / Consumer +METRIC OrdersFailedByReason=3 BatchDuration=12ms reason=value_mismatch$/,
    );
  });

  it("shows anything else as it came", () => {
    expect(formatLogLine("Docs", "plain text", false)).toMatch(/ Docs +plain text$/);
  });

  it("shows a platform.report record as Lambda's text REPORT line, status and error type when not a success", () => {
    const record = {
      requestId: "r-1",
      status: "timeout",
      errorType: "Sandbox.Timedout",
      metrics: { durationMs: 3000.5, billedDurationMs: 3001, memorySizeMB: 512, maxMemoryUsedMB: 61 },
    };
    const line = JSON.stringify({ time: "2026-11-25T00:00:00.000Z", type: "platform.report", record });
    expect(formatLogLine("Consumer", line, false)).toMatch(
      / Consumer +REPORT RequestId: r-1\tDuration: 3000\.50 ms\tBilled Duration: 3001 ms\tMemory Size: 512 MB\tMax Memory Used: 61 MB\tStatus: timeout\tError Type: Sandbox\.Timedout$/,
    );
  });
});
