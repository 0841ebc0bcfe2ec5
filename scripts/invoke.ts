/**
 * `npm run invoke -- <function> [--event file.json | -]`: runs one function of the stack once, in a
 * fresh execution environment with the template's environment (Redis, the embedded SQS and S3,
 * the secrets, as `npm start` gives them), without the HTTP server or the pollers. Like
 * `sam local invoke`, without Docker: the function's log lines and REPORT go to stderr, its result
 * to stdout as JSON, and a function error exits 1 with Lambda's error shape on stdout.
 *
 *   npm run event -- sqs --malformed 1 | npm run invoke -- Consumer --event -
 *   npm run invoke -- Stats --event event.json --inspect      wait for a debugger on port 9229
 *
 * Functions are named by logical id, by name, or by name without "Function" (Consumer, Stats,
 * Admin...). `--help` lists the options. Redis and the order archive are npm start's: the state
 * folder's (`.local/`), or, while npm start runs on it, that local mode's own Redis and S3.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CONTEXT_OPTION, checkPortFree, parseCommandLine, port } from "../local/command-line.ts";
// Run by Node itself, as npm start is (no loader between the debugger and the bundles): imports
// name their .ts files.
import { FunctionError, FunctionTimeoutError } from "../local/lambda-runtime.ts";
import { type LocalMode, startLocalMode, stopOnSignals } from "../local/local-mode.ts";
import { formatLogLine } from "../local/logs.ts";
import { RedisUnavailableError } from "../local/redis-server.ts";
import { StateInUseError } from "../local/state.ts";
import { parseContextOptions } from "../local/synth.ts";
import { functionNamed, UnknownFunctionError } from "../local/template.ts";

/** A wrong command line or event: its message is all there is to say. */
class UsageError extends Error {}

/** Runs `check`, its error a UsageError. */
function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

// `npm run invoke ... | head`: a reader that stops early wants no more of the result, not a crash
// that leaves local mode's Redis running; the invocation still ends as usual.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});

const USAGE = "npm run invoke -- <function> [--event file.json | -] [options]";

const { values, positionals } = parseCommandLine(
  USAGE,
  {
    event: {
      type: "string",
      value: "FILE",
      help: "the event: a JSON file, or - for standard input (default {})",
    },
    context: CONTEXT_OPTION,
    "state-dir": { type: "string", value: "DIR", help: "npm start's state folder (default .local/)" },
    ephemeral: { type: "boolean", help: "a Redis and an archive of its own, removed after the run" },
    inspect: { type: "boolean", help: "wait for a debugger before running the function" },
    "inspect-port": { type: "string", value: "N", help: "the debugger's port (default 9229)" },
    outdir: { type: "string", value: "DIR", help: "where to synthesize (default cdk.out.local)" },
  },
  process.argv.slice(2),
  { positionals: true },
);

/**
 * The event: a file, standard input (`-`), or `{}`. npm writes its own header (`> name@version
 * script` lines) to standard output before a script's, so `npm run event -- ... > event.json` and
 * `npm run event ... | npm run invoke ...` hand it over too: those lines are not the event's.
 */
function readEvent(source: string | undefined): unknown {
  if (source === undefined) return {};
  // npm runs a script in the project's folder; a relative path is the caller's, where npm was run.
  const path = source === "-" ? 0 : resolve(process.env.INIT_CWD ?? "", source);
  const text = checked(() => readFileSync(path, "utf8"));
  try {
    return JSON.parse(withoutNpmHeader(text));
  } catch (error) {
    throw new UsageError(`the event is not JSON: ${(error as Error).message}`);
  }
}

function withoutNpmHeader(text: string): string {
  return text.replace(/^(?:\s*\n)*(?:> [^\n]*\n)+/, "");
}

/** Lambda's error shape, as `aws lambda invoke` prints a function error. */
function errorShape(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof FunctionError) return error.detail;
  if (error instanceof FunctionTimeoutError)
    return { errorType: "Sandbox.Timedout", errorMessage: error.message, trace: [] };
  return { errorType: "Runtime.Unknown", errorMessage: (error as Error).message, trace: [] };
}

async function main(): Promise<number> {
  const [name] = positionals;
  if (!name || positionals.length > 1) throw new UsageError(`usage: ${USAGE} (--help lists the options)`);
  const event = readEvent(values.event);
  const colour = process.stderr.isTTY && !process.env.NO_COLOR;
  const inspectPort = checked(() => port(values["inspect-port"] ?? "9229", "--inspect-port"));
  if (values.inspect)
    await checkPortFree(inspectPort, "--inspect-port").catch((error: Error) => {
      throw new UsageError(error.message);
    });
  let mode: LocalMode | undefined;
  try {
    const starting = startLocalMode({
      serve: false,
      pollers: false,
      state: values.ephemeral ? { ephemeral: true } : { directory: values["state-dir"], share: true },
      redisUrl: process.env.REDIS_URL,
      // As npm start takes them: REDIS_MODE=cluster when REDIS_URL is a node of a Redis Cluster.
      redisMode: process.env.REDIS_MODE === "cluster" ? "cluster" : "single",
      context: checked(() => parseContextOptions(values.context ?? [])),
      ...(values.outdir ? { outdir: values.outdir } : {}),
      ...(values.inspect
        ? {
            inspect: {
              function: name,
              port: inspectPort,
              wait: true,
            },
          }
        : {}),
      onLog: (source, line) => process.stderr.write(`${formatLogLine(source, line, colour)}\n`),
    });
    // Ctrl-C, say while the function waits for a debugger: local mode's own Redis stops too.
    const signalled = stopOnSignals(starting, {
      stopped: (signal) => process.exit(signal === "SIGINT" ? 130 : 143),
    });
    mode = await starting;
    const model = functionNamed(mode.model.functions, name);
    const local = model && mode.functions.get(model.logicalId);
    if (!local) throw new UnknownFunctionError(name, mode.model.functions);
    try {
      const result = await local.invoke(event);
      process.stdout.write(`${JSON.stringify(result ?? null, null, 2)}\n`);
      return 0;
    } catch (error) {
      // An invocation a signal cut short has no result to show: the person asked it to stop.
      if (signalled()) return 1;
      process.stdout.write(`${JSON.stringify(errorShape(error), null, 2)}\n`);
      // A function that fails on `{}` most likely wanted an event of its own kind.
      if (values.event === undefined)
        console.error(
          `npm run invoke: no --event was given, so ${name} ran with {}; npm run event -- --help makes one (an SQS batch, an API request)`,
        );
      return 1;
    }
  } finally {
    await mode?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    const known = [UnknownFunctionError, RedisUnavailableError, StateInUseError, UsageError].some(
      (kind) => error instanceof kind,
    );
    console.error(`npm run invoke: ${known ? error.message : (error.stack ?? error.message)}`);
    process.exit(2);
  },
);
