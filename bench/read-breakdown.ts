/**
 * Where a read's time goes, measured while the load runs: CPU microseconds a request in each part
 * of the server (its main thread; the execution environments' threads; V8's helper threads, for
 * garbage collection and compilation; the rest) and in Redis, from Linux's per-thread CPU times
 * (thread-cpu.ts), and the Redis commands a request runs (those inside a script included). The
 * same for the environment-hop ceiling, so that a table can show the hop and each layer's share
 * beyond it: `renderBreakdownTable` renders it from `bench:original`'s JSON.
 */
import type { Redis } from "ioredis";
import { type HttpLoadResult, httpLoad } from "./http-load";
import { median } from "./statistics";
import { redisCounters, threadCpuSeconds } from "./thread-cpu";

export interface Layers {
  /** Local mode: API Gateway's mapping, the runtime's dispatch and REPORT; the hop: its HTTP server. */
  mainThread: number;
  /** The functions' environments (local mode) or the bare workers (the hop): event in, handler, Redis client, answer out. */
  environments: number;
  /** V8's helper threads: garbage collection, compilation. */
  v8Helpers: number;
  /** Any other thread of the process (libuv's pool, the embedded SQS server's). */
  other: number;
  redis: number;
}

export interface ReadSample extends HttpLoadResult {
  cpuMicrosPerRequest: Layers;
  /** Redis commands a request, by name (EVALSHA: a script, whose own calls are counted too). */
  redisCallsPerRequest: Record<string, number>;
}

/** One load run on `url`, with the CPU of process `pid`'s threads and of Redis over the run. */
export async function measureRead(
  url: string,
  seconds: number,
  pid: number,
  redis: Redis,
): Promise<ReadSample> {
  const threadsBefore = threadCpuSeconds(pid);
  const redisBefore = await redisCounters(redis);
  const load = await httpLoad(url, seconds);
  const threadsAfter = threadCpuSeconds(pid);
  const redisAfter = await redisCounters(redis);
  const requests = Math.max(1, load.requestsPerSecond * seconds);
  const micros = (cpuSeconds: number) => Math.round((cpuSeconds * 1e6) / requests);
  const layers: Layers = { mainThread: 0, environments: 0, v8Helpers: 0, other: 0, redis: 0 };
  for (const [name, after] of threadsAfter) layers[layerOf(name)] += after - (threadsBefore.get(name) ?? 0);
  layers.redis = redisAfter.cpuSeconds - redisBefore.cpuSeconds;
  const calls: Record<string, number> = {};
  for (const [command, count] of redisAfter.calls) {
    const perRequest = (count - (redisBefore.calls.get(command) ?? 0)) / requests;
    // Below 0.05 a request: the generation pointer's read once a second, the INFO calls themselves.
    if (perRequest >= 0.05) calls[command] = Math.round(perRequest * 100) / 100;
  }
  return {
    ...load,
    cpuMicrosPerRequest: {
      mainThread: micros(layers.mainThread),
      environments: micros(layers.environments),
      v8Helpers: micros(layers.v8Helpers),
      other: micros(layers.other),
      redis: micros(layers.redis),
    },
    redisCallsPerRequest: calls,
  };
}

/** Threads by name: Node's main thread, V8's helpers, Node's and local mode's own, and the rest (environments). */
function layerOf(threadName: string): keyof Layers {
  if (threadName === "MainThread" || threadName === "node") return "mainThread";
  if (threadName.startsWith("V8") || threadName === "DelayedTaskSche") return "v8Helpers";
  if (["libuv-worker", "SignalInspector", "sqs-s3-server"].includes(threadName)) return "other";
  return "environments";
}

type Breakdown = Pick<ReadSample, "cpuMicrosPerRequest" | "redisCallsPerRequest">;

/** The medians of several runs' breakdowns, layer by layer and command by command. */
export function medianBreakdown(samples: readonly Breakdown[]): Breakdown {
  const layer = (name: keyof Layers) => median(samples.map((sample) => sample.cpuMicrosPerRequest[name]));
  const commands = new Set(samples.flatMap((sample) => Object.keys(sample.redisCallsPerRequest)));
  return {
    cpuMicrosPerRequest: {
      mainThread: layer("mainThread"),
      environments: layer("environments"),
      v8Helpers: layer("v8Helpers"),
      other: layer("other"),
      redis: layer("redis"),
    },
    redisCallsPerRequest: Object.fromEntries(
      [...commands].map((command) => [
        command,
        median(samples.map((sample) => sample.redisCallsPerRequest[command] ?? 0)),
      ]),
    ),
  };
}

/** What `renderBreakdownTable` reads of bench/results/original.json. */
export interface BreakdownInput {
  date: string;
  rounds: number;
  reads: {
    route: string;
    local: { rps: number } & Breakdown;
    ceiling: { rps: number } & Breakdown;
    ratioToCeiling: number;
    /** The route's function alone in bare environments (runs before it had none). */
    functionAlone?: { rps: number } & Breakdown;
    ratioToFunctionAlone?: number;
  }[];
}

const LAYER_ROWS: [keyof Layers, string][] = [
  ["mainThread", "main thread: the HTTP server (local mode: API Gateway's mapping, dispatch, REPORT)"],
  [
    "environments",
    "environments: event in, handler (middleware, validation, view), Redis client, answer out",
  ],
  ["v8Helpers", "V8's helper threads: garbage collection, compilation"],
  ["other", "other threads"],
  ["redis", "Redis"],
];

/**
 * The per-layer breakdown as a Markdown table: CPU microseconds a request in each layer, for the
 * environment hop (the ceiling, medians over every route's rounds) and for each read route, with
 * the route's share beyond the hop; then Redis commands a request, req/s and the ratio to the
 * ceiling. Pure: the same JSON always renders the same table.
 */
export function renderBreakdownTable(json: BreakdownInput): string {
  const reads = json.reads;
  const ceilings = reads.map((read) => read.ceiling);
  const hop = { rps: median(ceilings.map((side) => side.rps)), ...medianBreakdown(ceilings) };
  const total = (layers: Layers) => LAYER_ROWS.reduce((sum, [name]) => sum + layers[name], 0);
  const cell = (value: number, base: number) => `${value} (${signed(value - base)})`;
  const header = ["CPU µs a request", "environment hop", ...reads.map((read) => `GET ${read.route}`)];
  const rows = LAYER_ROWS.map(([name, label]) => [
    label,
    String(hop.cpuMicrosPerRequest[name]),
    ...reads.map((read) => cell(read.local.cpuMicrosPerRequest[name], hop.cpuMicrosPerRequest[name])),
  ]);
  const hopTotal = total(hop.cpuMicrosPerRequest);
  rows.push([
    "**total** (beyond the hop)",
    `**${hopTotal}**`,
    ...reads.map((read) => `**${cell(total(read.local.cpuMicrosPerRequest), hopTotal)}**`),
  ]);
  rows.push([
    "Redis commands a request (in a script included)",
    commandsText(hop.redisCallsPerRequest),
    ...reads.map((read) => commandsText(read.local.redisCallsPerRequest)),
  ]);
  rows.push([
    "req/s (of the ceiling measured in the same rounds)",
    `${hop.rps} (1.00)`,
    ...reads.map((read) => `${read.local.rps} (${read.ratioToCeiling.toFixed(2)})`),
  ]);
  if (reads.every((read) => read.functionAlone)) {
    const alone = (read: (typeof reads)[number]) => read.functionAlone as { rps: number } & Breakdown;
    rows.push([
      "the function alone, in bare environments: CPU µs a request (its environments), req/s",
      "",
      ...reads.map(
        (read) =>
          `${total(alone(read).cpuMicrosPerRequest)} (${alone(read).cpuMicrosPerRequest.environments}), ${alone(read).rps}`,
      ),
    ]);
    rows.push([
      "local mode's req/s of the function alone's",
      "",
      ...reads.map((read) => (read.ratioToFunctionAlone ?? 0).toFixed(2)),
    ]);
  }
  return [
    `| ${header.join(" | ")} |`,
    `| --- | ${header
      .slice(1)
      .map(() => "---:")
      .join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

function commandsText(calls: Record<string, number>): string {
  const entries = Object.entries(calls).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0
    ? "none"
    : entries.map(([command, count]) => `${count} ${command.toUpperCase()}`).join(", ");
}

function signed(value: number): string {
  return value >= 0 ? `+${value}` : String(value);
}
