/**
 * `npm start` (and `npm run dev`, which re-synthesizes and reloads on changes): runs the
 * synthesized stack on this machine. Options:
 *   --port N (or PORT)       API port, default 3000
 *   -c name=value            CDK context, e.g. -c batchSize=500 (same names as cdk deploy)
 *   --watch                  reload when bin/, lib/ or lambdas/ change
 *   --access-log             print every API request
 *   --path-prefix P          serve the API under P, e.g. /_aws/execute-api/local/prod (LocalStack's URL shape)
 *   --function-concurrency N execution environments per API function (default two per CPU core; see local-mode.ts)
 *   --every-report           a REPORT line for every invocation (by default, past 20 a second per
 *                            function, the rest are summarized once a second; LOG_FORMAT=json prints each)
 * Environment: REDIS_URL (tried first), REDIS_MODE=cluster (REDIS_URL is a Redis Cluster node, or
 * a three-master cluster is started), LOG_FORMAT=json for raw function log lines, and the
 * FAULT_* switches of local/faults.ts (off by default) to inject faults.
 *
 * `npm start` runs it with settings that keep local mode small (docs/performance.md): glibc's
 * malloc in two arenas rather than one per thread (MALLOC_ARENA_MAX=2, ignored where malloc is not
 * glibc's), 4 MB semi-spaces for this thread's young generation, and V8 dropping the bytecode of
 * code that ran once, such as each function's init, after one garbage collection instead of six.
 */
import { readdirSync, statSync, watch } from "node:fs";
import { join } from "node:path";
import { parseArgs, styleText } from "node:util";
import { describeFaults, faultsFromEnv } from "./faults.ts";
import { startLocalMode } from "./local-mode.ts";
import { createReportPrinter, formatLogLine, formatPlatformLine, REPORT_LINES_PER_SECOND } from "./logs.ts";
import { RedisUnavailableError } from "./redis-server.ts";
import { secretEnvName } from "./secrets.ts";
import { PROJECT_ROOT, parseContextOptions } from "./synth.ts";

const { values } = commandLine();

/** The options above; a mistyped one ends here with what went wrong and this file's list of options. */
function commandLine() {
  try {
    return parseArgs({
      options: {
        port: { type: "string", default: process.env.PORT ?? "3000" },
        context: { type: "string", short: "c", multiple: true, default: [] },
        watch: { type: "boolean", default: false },
        "access-log": { type: "boolean", default: false },
        "every-report": { type: "boolean", default: false },
        "path-prefix": { type: "string" },
        "function-concurrency": { type: "string" },
        "allowed-host": { type: "string", multiple: true, default: [] },
        inspect: { type: "string" },
        "inspect-port": { type: "string", default: "9229" },
      },
    });
  } catch (error) {
    console.error(`npm start: ${(error as Error).message}`);
    console.error(
      "options: --port N, -c name=value, --watch, --access-log, --every-report, --path-prefix P, --function-concurrency N, --allowed-host NAME, --inspect FUNCTION [--inspect-port 9229]",
    );
    process.exit(2);
  }
}

const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const rawLogs = process.env.LOG_FORMAT === "json";
const context = parseContextOptions(values.context);
const bold = (text: string) => (colour ? styleText("bold", text) : text);
// Raw JSON logs keep every REPORT record, as Lambda's JSON log format does.
const reports =
  rawLogs || values["every-report"]
    ? undefined
    : createReportPrinter({ print: (source, text) => console.log(formatPlatformLine(source, text, colour)) });

const startedAt = performance.now();
let mode: Awaited<ReturnType<typeof startLocalMode>>;
let faults: ReturnType<typeof faultsFromEnv>;
try {
  faults = faultsFromEnv(process.env);
  const redisMode = process.env.REDIS_MODE ?? "single";
  if (redisMode !== "single" && redisMode !== "cluster")
    throw new Error(`REDIS_MODE must be single or cluster, not ${redisMode}`);
  const functionConcurrency =
    values["function-concurrency"] === undefined ? undefined : Number(values["function-concurrency"]);
  if (
    functionConcurrency !== undefined &&
    !(Number.isInteger(functionConcurrency) && functionConcurrency >= 1)
  )
    throw new Error(
      `--function-concurrency must be a whole number of at least 1, not ${values["function-concurrency"]}`,
    );
  mode = await startLocalMode({
    faults,
    port: Number(values.port),
    redisUrl: process.env.REDIS_URL,
    redisMode,
    context,
    pathPrefix: values["path-prefix"],
    functionConcurrency,
    allowedHosts: values["allowed-host"],
    ...(values.inspect
      ? { inspect: { function: values.inspect, port: Number(values["inspect-port"]) } }
      : {}),
    onLog: (source, line) => console.log(rawLogs ? `${source} ${line}` : formatLogLine(source, line, colour)),
    onReport: reports?.add,
    onRequest: values["access-log"]
      ? ({ method, path, status, ms }) => console.log(`${method} ${path} ${status} ${ms} ms`)
      : undefined,
  });
} catch (error) {
  if (error instanceof RedisUnavailableError) console.error(error.message);
  else if ((error as NodeJS.ErrnoException).code === "EADDRINUSE")
    console.error(
      `local mode could not start: port ${values.port} is taken; choose another with --port N or PORT`,
    );
  else console.error(`local mode could not start: ${(error as Error).message}`);
  process.exit(1);
}

const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
const queues = [...mode.queues.values()].map((queue) => queue.name).join(", ");
console.log(
  [
    "",
    `${bold("Orders pipeline")} running locally: stack ${mode.synth.stackName}, ready in ${seconds} s (synth ${mode.synth.cached ? "cached" : `${(mode.synth.ms / 1000).toFixed(1)} s`})`,
    `  API     ${mode.apiUrl}/api`,
    `  Docs    ${mode.apiUrl}/docs`,
    `  Board   ${mode.apiUrl}/dashboard`,
    `  Try     curl -X POST ${mode.apiUrl}/produce -H 'Content-Type: application/json' -d '{"count": 20}'`,
    `          curl ${mode.apiUrl}/stats/global`,
    ...mode.secrets.map(
      (secret) => `  Secret  ${secret.name} = ${secret.value}  (${secretEnvName(secret.name)} to choose it)`,
    ),
    mode.apiKey
      ? `  ApiKey  x-api-key: ${mode.apiKey} for POST /produce and /orders  (API_KEY to choose it)`
      : "",
    `  Redis   ${mode.redis.url}${mode.redis.mode === "cluster" ? " (a Redis Cluster)" : ""}${mode.redis.started ? " (started for this run, in memory only: its data goes when it stops)" : ""}`,
    mode.buckets.size > 0
      ? `  Archive ${[...mode.buckets.values()].join(", ")} in the embedded S3 (in a temporary directory: it lasts as long as local mode; POST /admin/rebuild replays it)`
      : "",
    `  SQS     ${mode.sqsEndpoint} (${queues})`,
    `  Logs    function logs below, one line each, and a REPORT line per invocation (${reports ? `past ${REPORT_LINES_PER_SECOND}/s per function a summary a second, --every-report for all; ` : ""}${rawLogs ? "raw JSON" : "LOG_FORMAT=json for raw lines"})`,
    values.watch ? "  Watch   bin/, lib/ and lambdas/: changes re-synthesize and reload" : "",
    describeFaults(faults).length > 0 ? `  Faults  ${describeFaults(faults).join(", ")}` : "",
    "Ctrl-C stops everything.",
    "",
  ]
    .filter((line) => line !== "")
    .join("\n"),
);

if (values.watch) {
  let timer: NodeJS.Timeout | undefined;
  let reloading = Promise.resolve();
  for (const dir of ["bin", "lib", "lambdas"].flatMap((name) => directoriesUnder(join(PROJECT_ROOT, name)))) {
    // One watcher per directory: editors and git replace files by renaming, which a directory
    // watcher always sees.
    watch(dir, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        reloading = reloading.then(async () => {
          console.log("change seen: synthesizing again...");
          try {
            const synth = await mode.reload();
            console.log(`reloaded in ${(synth.ms / 1000).toFixed(1)} s`);
          } catch (error) {
            console.error(`reload failed, still running the previous version:\n${(error as Error).message}`);
          }
        });
      }, 300);
    });
  }
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping...");
    await mode.stop();
    process.exit(0);
  });
}

function directoriesUnder(dir: string): string[] {
  return [
    dir,
    ...readdirSync(dir)
      .map((name) => join(dir, name))
      .filter((path) => statSync(path).isDirectory())
      .flatMap(directoriesUnder),
  ];
}
