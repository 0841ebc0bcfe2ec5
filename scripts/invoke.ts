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
 * Admin...). Options: -c name=value (stack parameters), --inspect [--inspect-port N], --outdir DIR.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
// Run by Node itself, as npm start is (no loader between the debugger and the bundles): imports
// name their .ts files.
import { FunctionError, FunctionTimeoutError } from "../local/lambda-runtime.ts";
import { type LocalMode, startLocalMode } from "../local/local-mode.ts";
import { formatLogLine } from "../local/logs.ts";
import { RedisUnavailableError } from "../local/redis-server.ts";
import { parseContextOptions } from "../local/synth.ts";
import { functionNamed, UnknownFunctionError } from "../local/template.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    event: { type: "string" },
    context: { type: "string", short: "c", multiple: true, default: [] },
    inspect: { type: "boolean", default: false },
    "inspect-port": { type: "string", default: "9229" },
    outdir: { type: "string" },
  },
});

const USAGE =
  "usage: npm run invoke -- <function> [--event file.json | -] [-c name=value] [--inspect [--inspect-port N]]";

/** The event: a file, standard input (`-`), or `{}`. */
function readEvent(source: string | undefined): unknown {
  if (source === undefined) return {};
  const text = source === "-" ? readFileSync(0, "utf8") : readFileSync(source, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`the event is not JSON: ${(error as Error).message}`);
  }
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
  if (!name || positionals.length > 1) throw new Error(USAGE);
  const event = readEvent(values.event);
  const colour = process.stderr.isTTY && !process.env.NO_COLOR;
  let mode: LocalMode | undefined;
  try {
    mode = await startLocalMode({
      serve: false,
      pollers: false,
      redisUrl: process.env.REDIS_URL,
      // As npm start takes them: REDIS_MODE=cluster when REDIS_URL is a node of a Redis Cluster.
      redisMode: process.env.REDIS_MODE === "cluster" ? "cluster" : "single",
      context: parseContextOptions(values.context),
      ...(values.outdir ? { outdir: values.outdir } : {}),
      ...(values.inspect
        ? { inspect: { function: name, port: Number(values["inspect-port"]), wait: true } }
        : {}),
      onLog: (source, line) => process.stderr.write(`${formatLogLine(source, line, colour)}\n`),
    });
    const model = functionNamed(mode.model.functions, name);
    const local = model && mode.functions.get(model.logicalId);
    if (!local) throw new UnknownFunctionError(name, mode.model.functions);
    try {
      const result = await local.invoke(event);
      process.stdout.write(`${JSON.stringify(result ?? null, null, 2)}\n`);
      return 0;
    } catch (error) {
      process.stdout.write(`${JSON.stringify(errorShape(error), null, 2)}\n`);
      return 1;
    }
  } finally {
    await mode?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    const known = error instanceof UnknownFunctionError || error instanceof RedisUnavailableError;
    console.error(`npm run invoke: ${known ? error.message : (error.stack ?? error.message)}`);
    process.exit(2);
  },
);
