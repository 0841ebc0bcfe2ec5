import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { parseArgs } from "node:util";
import { nearestName } from "../lib/nearest-name.ts";

/**
 * The command lines of every npm script that takes options (`npm start`, `npm run invoke`, the
 * benchmarks, `npm run smoke`...): one table of options that both parses (node:util's parseArgs)
 * and prints `--help` (every command line has it), and the checks that turn a wrong value into a
 * message saying what is accepted, rather than a stack trace or a NaN deep inside.
 */

interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** What the value is called in the help, e.g. `N`. */
  value?: string;
  /** The value when the option is not given; the help shows it. */
  default?: string;
  /** A whole number from the first to the second, checked before the command runs. */
  range?: readonly [number, number];
  help: string;
}

const HELP: OptionSpec = { type: "boolean", short: "h", help: "print this and exit" };

/** `-c name=value`: a stack parameter, for every command that synthesizes the stack (see parseContextOptions). */
export const CONTEXT_OPTION = {
  type: "string",
  short: "c",
  multiple: true,
  value: "name=value",
  help: "a stack parameter, e.g. -c batchSize=500 (the names cdk deploy takes)",
} as const satisfies OptionSpec;

export type CommandLineOptions = Record<string, OptionSpec>;

/** What parsing gives: a flag is true or false; a string option with a default is always there. */
type Values<O extends CommandLineOptions> = {
  [K in keyof O]: O[K]["type"] extends "boolean"
    ? boolean
    : O[K]["multiple"] extends true
      ? string[] | undefined
      : O[K] extends { default: string }
        ? string
        : string | undefined;
};

/**
 * Parses `argv`; `--help` prints the options and exits 0, a wrong option or value exits 2 saying
 * so. `usage` is the first line of the help, e.g. `npm start -- [options]`; what the script does
 * (its line in package.json's `scripts-info`, what `npm run help` lists) follows it, then `about`.
 */
export function parseCommandLine<O extends CommandLineOptions>(
  usage: string,
  options: O,
  argv: readonly string[],
  { positionals = false, about }: { positionals?: boolean; about?: string } = {},
): { values: Values<O>; positionals: string[] } {
  const all: CommandLineOptions = { ...options, help: HELP };
  const taken = usage.startsWith("npm ") ? optionsNpmTook(options) : [];
  if (taken.length > 0) {
    const command = usage.split(" --")[0] as string;
    const given = taken.map((name) => `--${name}${options[name]?.value ? ` ${options[name].value}` : ""}`);
    return usageError(
      usage,
      `npm took ${taken.map((name) => `--${name}`).join(", ")} for its own option${taken.length > 1 ? "s" : ""}: put the options after --, as in ${command} -- ${given.join(" ")}`,
    );
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: withNegativeValuesJoined(argv, all),
      options: Object.fromEntries(
        Object.entries(all).map(([name, spec]) => [
          name,
          {
            type: spec.type,
            ...(spec.short ? { short: spec.short } : {}),
            ...(spec.multiple ? { multiple: true } : {}),
            // A flag not given is false; a string option not given is its default, or absent.
            ...(spec.type === "boolean" ? { default: false } : {}),
            ...(spec.default === undefined ? {} : { default: spec.default }),
          },
        ]),
      ),
      allowPositionals: positionals,
      strict: true,
    });
  } catch (error) {
    const message = (error as Error).message.split(". To specify")[0] as string;
    const unknown = /^Unknown option '--([^']+)'/.exec(message)?.[1];
    const nearest = unknown === undefined ? undefined : nearestName(unknown, Object.keys(all));
    return usageError(usage, nearest ? `${message}; did you mean --${nearest}?` : message);
  }
  if (parsed.values.help) {
    console.log(helpText(usage, all, [scriptInfo(usage), about]));
    process.exit(0);
  }
  for (const [name, spec] of Object.entries(all)) {
    const text = parsed.values[name];
    if (spec.range && typeof text === "string") {
      try {
        wholeNumber(text, `--${name}`, ...spec.range);
      } catch (error) {
        return usageError(usage, (error as Error).message);
      }
    }
  }
  return { values: parsed.values as Values<O>, positionals: parsed.positionals };
}

/** Configuration keys npm has itself: an npmrc may set them, so their variables say nothing of the command line. */
const NPM_OWN_CONFIG = new Set(["json"]);

/**
 * Options given before npm's `--` (`npm start --ephemeral`): npm keeps each as a variable of its
 * own (`npm_config_ephemeral`, after warning "Unknown cli config"), and passes any value on as an
 * argument; the script would run without the option asked for.
 */
function optionsNpmTook(options: CommandLineOptions): string[] {
  return Object.keys(options).filter(
    (name) =>
      !NPM_OWN_CONFIG.has(name) && process.env[`npm_config_${name.replaceAll("-", "_")}`] !== undefined,
  );
}

/**
 * `--orders -1` as `--orders=-1`: parseArgs takes a value starting with a dash for an option
 * forgotten ("argument is ambiguous"), where the person meant a negative number, which the range
 * check then refuses by name.
 */
function withNegativeValuesJoined(argv: readonly string[], options: CommandLineOptions): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    const name = arg.startsWith("--") ? arg.slice(2) : undefined;
    if (name && options[name]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      args.push(`${arg}=${next}`);
      i++;
    } else args.push(arg);
  }
  return args;
}

/** Ends the command (exit 2) with `message` and where to find the options. */
export function usageError(usage: string, message: string): never {
  const command = usage.split(/ (?:--|\[|<)/)[0] ?? usage;
  // npm passes options on to a script only after its own `--`.
  const help = command.startsWith("npm ") ? `${command} -- --help` : `${command} --help`;
  console.error(`${command}: ${message}\n(${help} lists the options)`);
  process.exit(2);
}

/** The line `npm run help` shows for the npm script that `usage` names (`npm start`, `npm run bench`). */
function scriptInfo(usage: string): string | undefined {
  const name = /^npm (?:run )?([\w:-]+)/.exec(usage)?.[1];
  if (!name) return undefined;
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    "scripts-info"?: Record<string, string>;
  };
  return manifest["scripts-info"]?.[name];
}

function helpText(usage: string, options: CommandLineOptions, about: (string | undefined)[]): string {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.value ? ` ${spec.value}` : ""}`;
    return [flag, spec.default === undefined ? spec.help : `${spec.help} (default ${spec.default})`] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return [
    `usage: ${usage}`,
    ...about.flatMap((text) => (text ? ["", text] : [])),
    "",
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}${help}`),
  ].join("\n");
}

/** A whole number from `min` to `max`, or an error naming the option and the range. */
export function wholeNumber(text: string, option: string, min: number, max: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(Number.isSafeInteger(value) && value >= min && value <= max))
    throw new Error(`${option} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  return value;
}

/** A TCP port (1-65535; 0, any free port, where `allowAny`). */
export function port(text: string, option: string, { allowAny = false } = {}): number {
  return wholeNumber(text, option, allowAny ? 0 : 1, 65_535);
}

/** Fails, naming `option`, when something on this machine listens on `port` already (a debugger's, say). */
export async function checkPortFree(port: number, option: string): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${port} is taken (another debugger?): choose another with ${option} N`)
          : error,
      ),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}
