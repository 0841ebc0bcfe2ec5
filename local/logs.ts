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
  const name = paint("cyan", functionName.padEnd(16));
  if (report !== undefined) return `${paint("gray", time)} ${name} ${paint("gray", report)}`;
  if (metrics !== undefined) return `${paint("gray", time)} ${name} ${paint("magenta", "METRIC")} ${metrics}`;
  if (!record) return `${paint("gray", time)} ${name} ${line}`;
  const level = String(record.level ?? "INFO");
  const fields = Object.entries(record)
    .filter(([key]) => !NOISE.has(key))
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  return `${paint("gray", time)} ${name} ${paint(LEVEL_COLOURS[level] ?? "white", level.padEnd(5))} ${record.message}${fields ? ` ${paint("gray", fields)}` : ""}`;
}

type EmfLine = Record<string, unknown> & {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[] };
};

/** `OrdersValid=87 BatchDuration=12ms reason=...`: the metrics, then the dimensions other than service. */
function metricFields(emf: EmfLine): string {
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
