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
});
