import type { InvocationReport } from "../lambda-runtime.ts";
import { type EmfLine, metricFields, recordFields } from "../logs.ts";

/**
 * What the console shows of the functions, kept as local mode runs: each function's figures from
 * its invocations' REPORTs, and the recent log lines of every function. Both bounded: a window of
 * recent durations per function, and a ring of LOG_CAPACITY lines, each kept as it came (a line
 * is parsed only when the console asks for it).
 */

export interface FunctionFigures {
  name: string;
  invocations: number;
  errors: number;
  coldStarts: number;
  /** Over the last DURATION_WINDOW invocations. */
  p50Ms: number;
  p99Ms: number;
  maxMemoryUsedMB: number;
  memorySizeMB: number;
  lastInitMs: number | undefined;
}

/** Durations kept per function for the percentiles. */
export const DURATION_WINDOW = 1_000;
/** Log lines kept, all functions together. */
export const LOG_CAPACITY = 5_000;

class FunctionTally {
  invocations = 0;
  errors = 0;
  coldStarts = 0;
  maxMemoryUsedMB = 0;
  memorySizeMB = 0;
  lastInitMs: number | undefined;
  private readonly durations = new Float64Array(DURATION_WINDOW);

  add(report: InvocationReport): void {
    this.durations[this.invocations % DURATION_WINDOW] = report.metrics.durationMs;
    this.invocations++;
    if (report.status !== "success") this.errors++;
    if (report.metrics.initDurationMs !== undefined) {
      this.coldStarts++;
      this.lastInitMs = report.metrics.initDurationMs;
    }
    this.maxMemoryUsedMB = Math.max(this.maxMemoryUsedMB, report.metrics.maxMemoryUsedMB);
    this.memorySizeMB = report.metrics.memorySizeMB;
  }

  figures(name: string): FunctionFigures {
    const kept = this.durations.slice(0, Math.min(this.invocations, DURATION_WINDOW)).sort();
    const at = (quantile: number) => kept[Math.min(kept.length - 1, Math.floor(quantile * kept.length))] ?? 0;
    return {
      name,
      invocations: this.invocations,
      errors: this.errors,
      coldStarts: this.coldStarts,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMemoryUsedMB: this.maxMemoryUsedMB,
      memorySizeMB: this.memorySizeMB,
      lastInitMs: this.lastInitMs,
    };
  }
}

export class FunctionFiguresBook {
  private readonly tallies = new Map<string, FunctionTally>();

  add(functionName: string, report: InvocationReport): void {
    const tally = this.tallies.get(functionName) ?? new FunctionTally();
    this.tallies.set(functionName, tally);
    tally.add(report);
  }

  /** These functions' figures, in this order (a function not invoked yet shows zeros). */
  figures(names: readonly string[]): FunctionFigures[] {
    return names.map((name) => (this.tallies.get(name) ?? new FunctionTally()).figures(name));
  }
}

export interface LogEntry {
  /** Grows by one a line: `after=<seq>` follows the logs. */
  seq: number;
  time: number;
  source: string;
  stream: "stdout" | "stderr";
  line: string;
}

/** A line as the console filters and shows it. */
export interface ShownLogEntry extends LogEntry {
  level: string;
  requestId: string | undefined;
  message: string;
}

export interface LogQuery {
  after?: number;
  source?: string;
  level?: string;
  requestId?: string;
  limit: number;
}

/** The levels a line can have (Powertools'): what the console filters by. */
export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"];
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;

export class LogRing {
  private readonly entries: (LogEntry | undefined)[] = new Array(LOG_CAPACITY);
  private seq = 0;

  add(source: string, line: string, stream: "stdout" | "stderr"): void {
    this.entries[this.seq % LOG_CAPACITY] = { seq: this.seq + 1, time: Date.now(), source, stream, line };
    this.seq++;
  }

  /** The newest `limit` lines after `after` that pass the filters, oldest first. */
  query(query: LogQuery): ShownLogEntry[] {
    const found: ShownLogEntry[] = [];
    const first = Math.max(query.after ?? 0, this.seq - LOG_CAPACITY);
    for (let seq = this.seq; seq > first && found.length < query.limit; seq--) {
      const entry = this.entries[(seq - 1) % LOG_CAPACITY] as LogEntry;
      if (query.source && entry.source !== query.source) continue;
      const shown = shownEntry(entry);
      if (query.level && shown.level !== query.level) continue;
      if (query.requestId && shown.requestId !== query.requestId) continue;
      found.push(shown);
    }
    return found.reverse();
  }

  get lastSeq(): number {
    return this.seq;
  }
}

/** A line's level, request id and message: Powertools' JSON fields, Lambda's REPORT record, or the text as it is. */
function shownEntry(entry: LogEntry): ShownLogEntry {
  const parsed = entry.line.startsWith("{") ? parseObject(entry.line) : undefined;
  if (parsed?.type === "platform.report") {
    const record = parsed.record as { requestId?: string; status?: string } | undefined;
    return {
      ...entry,
      level: record?.status === "success" ? "INFO" : "ERROR",
      requestId: record?.requestId,
      message: "REPORT",
    };
  }
  if (parsed && typeof parsed.message === "string") {
    const level = String(parsed.level ?? "INFO").toUpperCase();
    const requestId = parsed.function_request_id ?? parsed.requestId ?? parsed.request_id;
    const fields = recordFields(parsed);
    return {
      ...entry,
      level: LOG_LEVELS.includes(level) ? level : "INFO",
      requestId: typeof requestId === "string" ? requestId : undefined,
      message: fields ? `${parsed.message} ${fields}` : parsed.message,
    };
  }
  if (parsed && "_aws" in parsed)
    return {
      ...entry,
      level: "INFO",
      requestId: undefined,
      message: `METRIC ${metricFields(parsed as EmfLine)}`,
    };
  const level = entry.stream === "stderr" || /\b(ERROR|Error:)/.test(entry.line) ? "ERROR" : "INFO";
  return { ...entry, level, requestId: UUID.exec(entry.line)?.[0], message: entry.line };
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
