/**
 * The load tool: drives any deployment (local mode, LocalStack, AWS) through its public API,
 * shows orders sent and consumed as they happen, and ends with a summary. Exits non-zero if any
 * accepted order is still unaccounted for once the consumer has drained the queue
 * (`npm run load -- --help` lists the options).
 */
import { createOrderGenerator } from "../lambdas/core/generator";
import { apiClient } from "../lambdas/http/client/api-client";
import { parseCommandLine, usageError } from "../local/command-line";
import { percentile } from "./statistics";

export interface LoadOptions {
  /** Base URL of the API, e.g. http://127.0.0.1:3000 or a LocalStack/AWS invoke URL. */
  url: string;
  count: number;
  concurrency: number;
  via: "produce" | "orders";
  /** Orders per request (at most 1000 for produce, 100 for orders). */
  batch: number;
  /** Stop waiting when the consumed count has not moved for this long after sending ended. */
  stallSeconds: number;
  /** Stamp orders over this many past days (0: now, as the original service did). */
  spreadDays?: number;
  /** Sent as x-api-key, for a stack whose write routes need one (writeAuth=apiKey). */
  apiKey?: string;
  onProgress?: (progress: LoadProgress) => void;
}

/**
 * The end-to-end benchmark's load, shared by `npm run bench` and `bench:side-by-side` so their
 * figures compare: 8 clients, 500 orders a `POST /produce`.
 */
export const END_TO_END_LOAD = {
  concurrency: 8,
  via: "produce",
  batch: 500,
  stallSeconds: 30,
} as const satisfies Partial<LoadOptions>;

export interface LoadProgress {
  count: number;
  sent: number;
  consumed: number;
  elapsedSeconds: number;
}

export interface LoadSummary {
  requested: number;
  accepted: number;
  consumed: number;
  unaccounted: number;
  failedRequests: number;
  sendSeconds: number;
  drainSeconds: number;
  sentPerSecond: number;
  consumedPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number };
}

export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  const url = options.url.replace(/\/$/, "");
  const baseline = await consumedSoFar(url);
  const generate = createOrderGenerator();
  const api = apiClient(url, { headers: options.apiKey ? { "x-api-key": options.apiKey } : {} });
  const latencies: number[] = [];
  let accepted = 0;
  let failedRequests = 0;
  let claimed = 0;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;

  async function sender(): Promise<void> {
    while (claimed < options.count) {
      const size = Math.min(options.batch, options.count - claimed);
      claimed += size;
      const spreadDays = options.spreadDays ?? 0;
      const requestStarted = performance.now();
      try {
        const { error, response } =
          options.via === "produce"
            ? await api.POST("/produce", { body: { count: size, spread_days: spreadDays } })
            : await api.POST("/orders", {
                body: { orders: Array.from({ length: size }, () => generate({ spreadDays }).order) },
              });
        latencies.push(performance.now() - requestStarted);
        if (response.ok) accepted += size;
        else {
          failedRequests++;
          accepted += size - notQueued(response.status, error, size);
        }
      } catch {
        failedRequests++;
      }
    }
  }

  let sendSeconds: number | undefined;
  const sending = Promise.all(Array.from({ length: options.concurrency }, sender)).then(() => {
    sendSeconds = elapsed();
  });
  let consumed = 0;
  let lastChange = performance.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = (await consumedSoFar(url).catch(() => baseline + consumed)) - baseline;
    if (now !== consumed) lastChange = performance.now();
    consumed = now;
    options.onProgress?.({ count: options.count, sent: accepted, consumed, elapsedSeconds: elapsed() });
    if (sendSeconds === undefined) continue;
    if (consumed >= accepted) break;
    if (performance.now() - lastChange > options.stallSeconds * 1000) break;
  }
  await sending;
  const drainSeconds = elapsed();
  return {
    requested: options.count,
    accepted,
    consumed,
    unaccounted: accepted - consumed,
    failedRequests,
    sendSeconds: round(sendSeconds ?? drainSeconds),
    drainSeconds: round(drainSeconds),
    sentPerSecond: Math.round(accepted / (sendSeconds ?? drainSeconds)),
    consumedPerSecond: Math.round(consumed / drainSeconds),
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
    },
  };
}

/**
 * How many orders of a failed request did not reach the queue: a 503 lists them in `not_queued`
 * (the others were queued); any other failure queued none.
 */
function notQueued(status: number, error: unknown, size: number): number {
  if (status !== 503) return size;
  const listed = (error as { not_queued?: string[] } | undefined)?.not_queued;
  return listed ? listed.length : size;
}

/** Orders the consumer has dealt with, one way or another: counted, failed or duplicate. */
/** Orders the consumer has settled so far: valid, failed and duplicates. */
export async function consumedSoFar(url: string): Promise<number> {
  const { data: stats, response } = await apiClient(url).GET("/stats/global");
  if (!stats) throw new Error(`GET /stats/global answered ${response.status}`);
  return stats.total_orders + stats.failed_orders + stats.duplicates;
}

const round = (value: number) => Math.round(value * 100) / 100;

/** A one-line progress bar on a terminal; a line every few seconds elsewhere. */
export function progressPrinter(
  stream: NodeJS.WriteStream = process.stderr,
): (progress: LoadProgress) => void {
  let lastPrinted = 0;
  return ({ count, sent, consumed, elapsedSeconds }) => {
    const width = 30;
    const filled = Math.round((Math.min(consumed, count) / count) * width);
    const sentMark = Math.round((Math.min(sent, count) / count) * width);
    const bar =
      "#".repeat(filled) +
      "-".repeat(Math.max(0, sentMark - filled)) +
      " ".repeat(width - Math.max(filled, sentMark));
    const line = `[${bar}] sent ${sent.toLocaleString("en")}/${count.toLocaleString("en")}  consumed ${consumed.toLocaleString("en")}  ${Math.round(consumed / Math.max(elapsedSeconds, 0.001)).toLocaleString("en")}/s  ${elapsedSeconds.toFixed(1)} s`;
    if (stream.isTTY) stream.write(`\r${line}`);
    else if (elapsedSeconds - lastPrinted >= 2) {
      stream.write(`${line}\n`);
      lastPrinted = elapsedSeconds;
    }
  };
}

async function main(): Promise<void> {
  const usage = "npm run load -- --url <base URL> [options]";
  const { values } = parseCommandLine(
    usage,
    {
      url: {
        type: "string",
        value: "URL",
        help: "the API's base URL, e.g. http://127.0.0.1:3000 (required)",
      },
      count: {
        type: "string",
        value: "N",
        default: "10000",
        range: [1, 100_000_000],
        help: "orders to send",
      },
      concurrency: { type: "string", value: "C", default: "8", range: [1, 1000], help: "requests in flight" },
      via: {
        type: "string",
        value: "ROUTE",
        default: "produce",
        help: "produce (POST /produce) or orders (POST /orders)",
      },
      batch: {
        type: "string",
        value: "N",
        range: [1, 1000],
        help: "orders a request (default 500 through produce, 100 through orders, each route's most)",
      },
      "stall-seconds": {
        type: "string",
        value: "S",
        default: "30",
        range: [1, 3600],
        help: "stop waiting once the consumed count has not moved for this long",
      },
      "spread-days": {
        type: "string",
        value: "D",
        default: "0",
        range: [0, 365],
        help: "stamp orders over this many past days (0: now, as the original did)",
      },
      "api-key": { type: "string", value: "KEY", help: "sent as x-api-key, when writes need one" },
    },
    process.argv.slice(2),
  );
  if (!values.url) usageError(usage, "--url is required");
  if (!/^https?:\/\/[^/]/.test(values.url) || !URL.canParse(values.url))
    usageError(usage, `--url must be an http(s) URL such as http://127.0.0.1:3000, not ${values.url}`);
  if (values.via !== "produce" && values.via !== "orders")
    usageError(usage, `--via must be produce or orders, not ${values.via}`);
  const via = values.via;
  const batch = Number(values.batch ?? (via === "orders" ? 100 : 500));
  if (via === "orders" && batch > 100)
    usageError(usage, "--batch: POST /orders takes at most 100 orders a request");
  const summary = await runLoad({
    url: values.url,
    count: Number(values.count),
    concurrency: Number(values.concurrency),
    via,
    batch,
    stallSeconds: Number(values["stall-seconds"]),
    spreadDays: Number(values["spread-days"]),
    apiKey: values["api-key"],
    onProgress: progressPrinter(),
  }).catch((error: Error) => {
    // fetch says "fetch failed" and puts what failed (ECONNREFUSED, ENOTFOUND...) in its cause.
    if (error.message !== "fetch failed") throw error;
    const cause = (error.cause as { code?: string; message?: string } | undefined) ?? {};
    console.error(
      `npm run load: ${values.url} did not answer: ${cause.code ?? cause.message ?? error.message} (is the API running? npm start runs it locally)`,
    );
    return process.exit(1);
  });
  process.stderr.write("\n");
  console.log(
    [
      `accepted ${summary.accepted} of ${summary.requested} orders (${summary.failedRequests} failed requests)`,
      `sent      ${summary.sentPerSecond} orders/s over ${summary.sendSeconds} s`,
      `consumed  ${summary.consumedPerSecond} orders/s; drained after ${summary.drainSeconds} s`,
      `latency   p50 ${summary.latencyMs.p50} ms  p95 ${summary.latencyMs.p95} ms  p99 ${summary.latencyMs.p99} ms (per request of up to ${batch} orders)`,
      summary.unaccounted === 0
        ? "every accepted order is accounted for"
        : `UNACCOUNTED: ${summary.unaccounted} orders`,
    ].join("\n"),
  );
  process.exit(summary.unaccounted === 0 ? 0 : 1);
}

if (import.meta.main) await main();
