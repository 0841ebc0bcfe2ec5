import { styleText } from "node:util";
import type { InvocationReport } from "./lambda-runtime.ts";

/**
 * Function logs for people: Powertools' JSON lines become one readable line each, with the
 * function's name, the level and the fields that matter; metric lines (Embedded Metric Format)
 * become `METRIC name=value ...`; invocation reports (`platform.report`) become Lambda's REPORT
 * line; anything else is shown as it came.
 */

/** Fields every Powertools line carries that say nothing about this line. */
const NOISE = new Set([
  "level",
  "message",
  "timestamp",
  "service",
  "sampling_rate",
  "xray_trace_id",
  "function_arn",
  "function_memory_size",
  "function_name",
  "function_request_id",
  "cold_start",
]);

const LEVEL_COLOURS: Record<string, Parameters<typeof styleText>[0]> = {
  DEBUG: "gray",
  INFO: "green",
  WARN: "yellow",
  ERROR: "red",
  CRITICAL: "red",
};

export function formatLogLine(functionName: string, line: string, colour: boolean): string {
  const paint = (style: Parameters<typeof styleText>[0], text: string) =>
    colour ? styleText(style, text) : text;
  const time = new Date().toISOString().slice(11, 23);
  let record: Record<string, unknown> | undefined;
  let metrics: string | undefined;
  let report: string | undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === "object" && parsed !== null && "message" in parsed)
      record = parsed as Record<string, unknown>;
    else if (typeof parsed === "object" && parsed !== null && "_aws" in parsed)
      metrics = metricFields(parsed as EmfLine);
    else if ((parsed as { type?: unknown } | null)?.type === "platform.report")
      report = reportText((parsed as { record: InvocationReport }).record);
  } catch {
    record = undefined;
  }
  if (report !== undefined) return formatPlatformLine(functionName, report, colour);
  const name = paint("cyan", functionName.padEnd(16));
  if (metrics !== undefined)
    return `${paint("gray", time)} ${name} ${paint("magenta", "METRIC")} ${escapeControl(metrics)}`;
  if (!record) return `${paint("gray", time)} ${name} ${escapeControl(line)}`;
  const level = escapeControl(String(record.level ?? "INFO"));
  const fields = recordFields(record);
  const message = escapeControl(String(record.message));
  return `${paint("gray", time)} ${name} ${paint(LEVEL_COLOURS[level] ?? "white", level.padEnd(5))} ${message}${fields ? ` ${paint("gray", escapeControl(fields))}` : ""}`;
}

/** A Powertools line's fields that say something about it, `name=value` each (the console shows them too). */
export function recordFields(record: Record<string, unknown>): string {
  return Object.entries(record)
    .filter(([key]) => !NOISE.has(key))
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
}

/** Control characters (C0, DEL, C1) and Unicode's line and paragraph separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED_ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * Each control character as an escape, `\n` or `\u001b` as JSON writes it. What a function logs
 * holds values anyone could write (an order id, an S3 key): a newline in one would print a forged
 * line, an escape sequence would rewrite the terminal. (The consumer log's lines are escaped alike
 * by lambdas/http/log-messages.ts: local mode imports nothing from lambdas/.)
 */
function escapeControl(text: string): string {
  return text.replace(
    CONTROL_CHARACTERS,
    (char) => NAMED_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** A line from the platform rather than the function's code (REPORT), dimmed. */
export function formatPlatformLine(functionName: string, text: string, colour: boolean): string {
  const time = new Date().toISOString().slice(11, 23);
  return colour
    ? `${styleText("gray", time)} ${styleText("cyan", functionName.padEnd(16))} ${styleText("gray", text)}`
    : `${time} ${functionName.padEnd(16)} ${text}`;
}

export type EmfLine = Record<string, unknown> & {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[] };
};

/** `OrdersValid=87 BatchDuration=12ms reason=...`: the metrics, then the dimensions other than service. */
export function metricFields(emf: EmfLine): string {
  const [directive] = emf._aws.CloudWatchMetrics;
  if (!directive) return "";
  const values = directive.Metrics.map(
    ({ Name, Unit }) => `${Name}=${emf[Name]}${Unit === "Milliseconds" ? "ms" : ""}`,
  );
  const dimensions = directive.Dimensions.flat()
    .filter((dimension) => dimension !== "service")
    .map((dimension) => `${dimension}=${emf[dimension]}`);
  return [...values, ...dimensions].join(" ");
}

/** Lambda's text REPORT line: `REPORT RequestId: ...\tDuration: 2.75 ms\tBilled Duration: 3 ms...`. */
export function reportText({ requestId, status, errorType, metrics }: InvocationReport): string {
  return [
    `REPORT RequestId: ${requestId}`,
    `Duration: ${metrics.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${metrics.billedDurationMs} ms`,
    `Memory Size: ${metrics.memorySizeMB} MB`,
    `Max Memory Used: ${metrics.maxMemoryUsedMB} MB`,
    ...(metrics.initDurationMs === undefined
      ? []
      : [`Init Duration: ${metrics.initDurationMs.toFixed(2)} ms`]),
    ...(status === "success" ? [] : [`Status: ${status}`]),
    ...(errorType ? [`Error Type: ${errorType}`] : []),
  ].join("\t");
}

/**
 * REPORT lines for a terminal: each one while a function's invocations stay under
 * `linesPerSecond`; past that, within each second, the rest are folded into one summary line per
 * function (invocations, Duration p50 and p99, Max Memory Used), printed when the second ends.
 * Failed invocations are always printed whole: those are the lines anyone looks for. Nobody reads
 * thousands of lines a second, and printing them costs the machine a load test measures.
 */
export interface ReportPrinter {
  add(functionName: string, report: InvocationReport): void;
  /** Prints the summaries of the second that ended (a timer calls it; tests call it directly). */
  flush(): void;
  stop(): void;
}

/** How many REPORT lines a function prints a second before the rest are summarized. */
export const REPORT_LINES_PER_SECOND = 20;

export function createReportPrinter(options: {
  print: (functionName: string, text: string) => void;
  linesPerSecond?: number;
  /** Flush on a timer every second (default); tests flush themselves. */
  timer?: boolean;
}): ReportPrinter {
  const limit = options.linesPerSecond ?? REPORT_LINES_PER_SECOND;
  const seconds = new Map<string, SecondOfReports>();
  const flush = () => {
    for (const [functionName, second] of seconds) {
      if (second.foldedDurations.length > 0) options.print(functionName, reportSummaryText(second));
    }
    seconds.clear();
  };
  const timer = options.timer === false ? undefined : setInterval(flush, 1_000);
  timer?.unref();
  return {
    add(functionName, report) {
      let second = seconds.get(functionName);
      if (!second) {
        second = { printed: 0, foldedDurations: [], maxMemoryUsedMB: 0 };
        seconds.set(functionName, second);
      }
      if (report.status !== "success" || second.printed < limit) {
        second.printed += 1;
        options.print(functionName, reportText(report));
        return;
      }
      // Only the figures the summary shows: thousands of reports a second kept whole until the
      // second ends would outlive the young generation and cost the main thread old-space GCs.
      second.foldedDurations.push(report.metrics.durationMs);
      second.maxMemoryUsedMB = Math.max(second.maxMemoryUsedMB, report.metrics.maxMemoryUsedMB);
    },
    flush,
    stop() {
      clearInterval(timer);
      flush();
    },
  };
}

/** A function's reports within the current second: how many were printed, and the rest's figures. */
interface SecondOfReports {
  printed: number;
  foldedDurations: number[];
  maxMemoryUsedMB: number;
}

/** `REPORT summary: 3084 more invocations this second (20 printed above): Duration p50 ... p99 ...`. */
function reportSummaryText({ foldedDurations, printed, maxMemoryUsedMB }: SecondOfReports): string {
  const durations = foldedDurations.sort((a, b) => a - b);
  const at = (quantile: number) =>
    durations[Math.min(durations.length - 1, Math.floor(quantile * durations.length))] ?? 0;
  return [
    `REPORT summary: ${durations.length} more invocations this second (${printed} printed above)`,
    `Duration p50: ${at(0.5).toFixed(2)} ms`,
    `Duration p99: ${at(0.99).toFixed(2)} ms`,
    `Max Memory Used: ${maxMemoryUsedMB} MB`,
    `(--every-report or LOG_FORMAT=json prints each)`,
  ].join("\t");
}
