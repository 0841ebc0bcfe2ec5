/**
 * `npm start` (and `npm run dev`, which re-synthesizes and reloads on changes): runs the
 * synthesized stack on this machine. `npm start -- --help` lists the options (OPTIONS below).
 * Environment: PORT, REDIS_URL (a Redis of yours; it must answer), REDIS_MODE=cluster (REDIS_URL
 * is a Redis Cluster node, or a three-master cluster is started, in memory), ADMIN_TOKEN and
 * API_KEY (to choose them; kept in the state folder), LOG_FORMAT=json for raw function log lines,
 * and the FAULT_* switches of local/faults.ts (off by default) to inject faults.
 *
 * `npm start` runs it with settings that keep local mode small (docs/performance.md): glibc's
 * malloc in two arenas rather than one per thread (MALLOC_ARENA_MAX=2, ignored where malloc is not
 * glibc's), 4 MB semi-spaces for this thread's young generation, and V8 dropping the bytecode of
 * code that ran once, such as each function's init, after one garbage collection instead of six.
 */
import { readdirSync, statSync, watch } from "node:fs";
import { join } from "node:path";
import { styleText } from "node:util";
import {
  CONTEXT_OPTION,
  type CommandLineOptions,
  checkPortFree,
  parseCommandLine,
  port,
  wholeNumber,
} from "./command-line.ts";
import { describeFaults, faultsFromEnv } from "./faults.ts";
import { startLocalMode, stopOnSignals } from "./local-mode.ts";
import { createReportPrinter, formatLogLine, formatPlatformLine, REPORT_LINES_PER_SECOND } from "./logs.ts";
import { RedisUnavailableError, redactedUrl } from "./redis-server.ts";
import { secretEnvName } from "./secrets.ts";
import { StateInUseError } from "./state.ts";
import { PROJECT_ROOT, parseContextOptions } from "./synth.ts";

const OPTIONS = {
  port: { type: "string", value: "N", help: "the API's port (default 3000, or PORT)" },
  context: CONTEXT_OPTION,
  "state-dir": {
    type: "string",
    value: "DIR",
    help: "where local mode keeps its Redis data, the archive and the secrets (default .local/)",
  },
  ephemeral: { type: "boolean", help: "keep nothing: a temporary state folder, removed at stop" },
  watch: {
    type: "boolean",
    help: "re-synthesize and reload when bin/, lib/ or lambdas/ change (npm run dev)",
  },
  "access-log": { type: "boolean", help: "print every API request" },
  "every-report": {
    type: "boolean",
    help: "a REPORT line for every invocation (by default past 20 a second per function a summary a second)",
  },
  "path-prefix": {
    type: "string",
    value: "P",
    help: "serve the API under P, e.g. /_aws/execute-api/local/prod (LocalStack's URL shape)",
  },
  "function-concurrency": {
    type: "string",
    value: "N",
    help: "execution environments per API function (default two per CPU core)",
  },
  "allowed-host": {
    type: "string",
    multiple: true,
    value: "NAME",
    help: "a host name to answer besides the loopback's (repeatable)",
  },
  "console-port": {
    type: "string",
    value: "N",
    help: "the local console's port (default the API's + 1, or any free one if that is taken)",
  },
  inspect: { type: "string", value: "FUNCTION", help: "open one function's environment to a debugger" },
  "inspect-port": { type: "string", value: "N", help: "the debugger's port (default 9229)" },
} satisfies CommandLineOptions;

const { values, context, functionConcurrency, apiPort, inspectPort, consolePort, rawLogs } = commandLine();
if (values.inspect)
  await checkPortFree(inspectPort, "--inspect-port").catch((error: Error) => {
    console.error(`npm start: ${error.message}`);
    process.exit(2);
  });

/** The options, each checked: a wrong one ends here, saying what is accepted. */
function commandLine() {
  const { values } = parseCommandLine("npm start -- [options]", OPTIONS, process.argv.slice(2));
  try {
    return {
      values,
      context: parseContextOptions(values.context ?? []),
      apiPort: port(values.port ?? process.env.PORT ?? "3000", values.port ? "--port" : "PORT", {
        allowAny: true,
      }),
      inspectPort: port(values["inspect-port"] ?? "9229", "--inspect-port"),
      consolePort:
        values["console-port"] === undefined
          ? undefined
          : port(values["console-port"], "--console-port", { allowAny: true }),
      rawLogs: logFormat(process.env.LOG_FORMAT) === "json",
      functionConcurrency:
        values["function-concurrency"] === undefined
          ? undefined
          : wholeNumber(values["function-concurrency"], "--function-concurrency", 1, 256),
    };
  } catch (error) {
    console.error(`npm start: ${(error as Error).message}\n(npm start -- --help lists the options)`);
    process.exit(2);
  }
}

/** LOG_FORMAT as Lambda names its log formats (Text, JSON), in any case. */
function logFormat(text = "text"): "json" | "text" {
  const format = text.toLowerCase();
  if (format !== "json" && format !== "text")
    throw new Error(`LOG_FORMAT must be json or text (Lambda's log formats), not ${JSON.stringify(text)}`);
  return format;
}

const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (text: string) => (colour ? styleText("bold", text) : text);
// Raw JSON logs keep every REPORT record, as Lambda's JSON log format does.
const reports =
  rawLogs || values["every-report"]
    ? undefined
    : createReportPrinter({ print: (source, text) => console.log(formatPlatformLine(source, text, colour)) });

const startedAt = performance.now();
let mode: Awaited<ReturnType<typeof startLocalMode>>;
let faults: ReturnType<typeof faultsFromEnv>;
let signalled = () => false;
try {
  faults = faultsFromEnv(process.env);
  const redisMode = process.env.REDIS_MODE ?? "single";
  if (redisMode !== "single" && redisMode !== "cluster")
    throw new Error(`REDIS_MODE must be single or cluster, not ${redisMode}`);
  const starting = startLocalMode({
    faults,
    port: apiPort,
    state: values.ephemeral ? { ephemeral: true } : { directory: values["state-dir"] },
    redisUrl: process.env.REDIS_URL,
    redisMode,
    context,
    pathPrefix: values["path-prefix"],
    functionConcurrency,
    allowedHosts: values["allowed-host"] ?? [],
    // The console next to the API (3001 beside 3000), or any free port when that one is taken.
    console:
      consolePort === undefined
        ? { port: apiPort === 0 || apiPort >= 65_535 ? 0 : apiPort + 1, anyPortIfTaken: true }
        : { port: consolePort },
    ...(values.inspect ? { inspect: { function: values.inspect, port: inspectPort } } : {}),
    onLog: (source, line) => console.log(rawLogs ? `${source} ${line}` : formatLogLine(source, line, colour)),
    onReport: reports?.add,
    onRequest: values["access-log"]
      ? ({ method, path, status, ms }) => console.log(`${method} ${path} ${status} ${ms} ms`)
      : undefined,
  });
  signalled = stopOnSignals(starting, {
    onSignal: () => console.log("\nstopping..."),
    stopped: () => process.exit(0),
  });
  mode = await starting;
} catch (error) {
  if (signalled()) await new Promise(() => {}); // stopping: the signal's handler ends the process
  if (error instanceof RedisUnavailableError || error instanceof StateInUseError)
    console.error(error.message);
  else if ((error as NodeJS.ErrnoException).code === "EADDRINUSE")
    console.error(
      `local mode could not start: port ${apiPort} is taken; choose another with --port N or PORT`,
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
    `  Console ${mode.consoleUrl}  (functions, queues, logs and traces of this local mode${process.env.LOCAL_TRACES === "off" ? "; traces not recorded: LOCAL_TRACES=off" : ""})`,
    `  Try     curl -X POST ${mode.apiUrl}/produce -H 'Content-Type: application/json'${mode.apiKey ? ` -H 'x-api-key: ${mode.apiKey}'` : ""} -d '{"count": 20}'`,
    `          curl ${mode.apiUrl}/stats/global`,
    // The secret a person types; the others (the archive's key) only the functions read.
    ...mode.secrets
      .filter((secret) => secret.name === "AdminToken")
      .map((secret) => `  Admin   export ${secretEnvName(secret.name)}=${secret.value}`),
    mode.apiKey
      ? `  ApiKey  x-api-key: ${mode.apiKey} for POST /produce and /orders  (API_KEY to choose it)`
      : "",
    `  State   ${stateLine(mode)}`,
    `  Redis   ${redisLine(mode.redis)}`,
    mode.buckets.size > 0
      ? `  Archive ${[...mode.buckets.values()].join(", ")} in the embedded S3 (POST /admin/rebuild replays it into Redis)`
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

/** What the state folder keeps across restarts: the figures only when they are in local mode's own Redis on disk. */
function stateLine({ state, redis }: typeof mode): string {
  if (state.ephemeral)
    return "nothing is kept (--ephemeral): figures, archive, queues and secrets go when local mode stops";
  const kept = `${state.shown} keeps the archive, the queued messages and the secrets across restarts`;
  const reset = `${state.resetCommand} empties it`;
  if (!redis.started) return `${kept}; the figures are in REDIS_URL's Redis (${reset})`;
  if (!redis.dataDir)
    return `${kept}; the figures go when local mode stops (its Redis keeps them in memory only; POST /admin/rebuild replays the archive into it) (${reset})`;
  return `${state.shown} keeps the figures, the archive, the queued messages and the secrets across restarts (${reset})`;
}

function redisLine(redis: typeof mode.redis): string {
  const url = redactedUrl(redis.url);
  if (!redis.started) return `${url}${redis.mode === "cluster" ? " (a Redis Cluster)" : ""} (REDIS_URL)`;
  if (redis.mode === "cluster") return `${url} (a Redis Cluster of local mode's own, in memory)`;
  return redis.dataDir
    ? `${url} (local mode's own; its data in ${mode.state.shown}redis/)`
    : `${url} (local mode's own, in memory)`;
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
