import { describe, expect, it } from "vitest";
import { createReportPrinter, formatLogLine, reportText } from "../../local/logs";

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

  it("escapes control characters, so a logged value cannot print a forged line or rewrite the terminal", () => {
    // An S3 key written with %0A in its URL, logged by the rebuild as it skips the object.
    const forged =
      "archive/x.jsonl.gz\n12:00:01.123 AdminFunction    INFO  audit action=clearData outcome=allowed";
    const line = JSON.stringify({ level: "WARN", message: "archive object skipped\u001b[2J", key: forged });
    const shown = formatLogLine("RebuildFunction", line, false);
    expect(shown).not.toContain("\n");
    expect(shown).not.toContain("\u001b");
    expect(shown).toContain("skipped\\u001b[2J key=archive/x.jsonl.gz\\n12:00:01.123 AdminFunction");
    expect(formatLogLine("Docs", "plain\rtext\u009b", false)).toMatch(/ Docs +plain\\rtext\\u009b$/);
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

describe("createReportPrinter", () => {
  const report = (durationMs: number, status: "success" | "error" = "success", maxMemoryUsedMB = 40) => ({
    requestId: `r-${durationMs}`,
    status,
    ...(status === "error" ? { errorType: "Error" } : {}),
    metrics: { durationMs, billedDurationMs: Math.ceil(durationMs), memorySizeMB: 512, maxMemoryUsedMB },
  });
  const printer = (linesPerSecond: number) => {
    const printed: string[] = [];
    const reports = createReportPrinter({
      print: (name, text) => printed.push(`${name} ${text}`),
      linesPerSecond,
      timer: false,
    });
    return { printed, reports };
  };

  it("prints each REPORT line while a function stays under the rate", () => {
    const { printed, reports } = printer(3);
    for (const ms of [1, 2, 3]) reports.add("Stats", report(ms));
    reports.flush();
    expect(printed).toEqual([1, 2, 3].map((ms) => `Stats ${reportText(report(ms))}`));
  });

  it("past the rate, folds the rest of the second into one summary line per function", () => {
    const { printed, reports } = printer(2);
    for (let ms = 1; ms <= 102; ms++) reports.add("Stats", report(ms, "success", ms === 50 ? 77 : 40));
    reports.add("Producer", report(5));
    expect(printed).toHaveLength(3); // two of Stats, one of Producer; the summary waits for the second's end
    reports.flush();
    expect(printed).toHaveLength(4);
    expect(printed[3]).toBe(
      "Stats REPORT summary: 100 more invocations this second (2 printed above)\tDuration p50: 53.00 ms\tDuration p99: 102.00 ms\tMax Memory Used: 77 MB\t(--every-report or LOG_FORMAT=json prints each)",
    );
    // A new second prints lines again.
    reports.add("Stats", report(7));
    expect(printed[4]).toBe(`Stats ${reportText(report(7))}`);
  });

  it("always prints a failed invocation's line whole", () => {
    const { printed, reports } = printer(1);
    reports.add("Stats", report(1));
    reports.add("Stats", report(2, "error"));
    reports.add("Stats", report(3));
    reports.flush();
    expect(printed[1]).toBe(`Stats ${reportText(report(2, "error"))}`);
    expect(printed[2]).toMatch(/^Stats REPORT summary: 1 more invocations this second \(2 printed above\)/);
  });
});
