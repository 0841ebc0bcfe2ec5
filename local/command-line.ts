import { parseArgs } from "node:util";

/**
 * The command lines of `npm start` and `npm run invoke`: one table of options that both parses
 * (node:util's parseArgs) and prints `--help`, and the checks that turn a wrong value into a
 * message saying what is accepted, rather than a stack trace or a NaN deep inside.
 */

interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** What the value is called in the help, e.g. `N`. */
  value?: string;
  help: string;
}

export type CommandLineOptions = Record<string, OptionSpec>;

type Values<O extends CommandLineOptions> = {
  [K in keyof O]?: O[K]["type"] extends "boolean"
    ? boolean
    : O[K]["multiple"] extends true
      ? string[]
      : string;
};

/**
 * Parses `argv`; `--help` prints the options and exits 0, a wrong option exits 2 saying so.
 * `usage` is the first line of the help, e.g. `npm start -- [options]`.
 */
export function parseCommandLine<O extends CommandLineOptions>(
  usage: string,
  options: O,
  argv: readonly string[],
  { positionals = false }: { positionals?: boolean } = {},
): { values: Values<O>; positionals: string[] } {
  const command = usage.split(" --")[0] ?? usage;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(options).map(([name, spec]) => [
          name,
          {
            type: spec.type,
            ...(spec.short ? { short: spec.short } : {}),
            ...(spec.multiple ? { multiple: true } : {}),
          },
        ]),
      ),
      allowPositionals: positionals,
      strict: true,
    });
  } catch (error) {
    console.error(
      `${command}: ${(error as Error).message.split(". To specify")[0]}\n(${command} -- --help lists the options)`,
    );
    process.exit(2);
  }
  if (parsed.values.help) {
    console.log(helpText(usage, options));
    process.exit(0);
  }
  return { values: parsed.values as Values<O>, positionals: parsed.positionals };
}

function helpText(usage: string, options: CommandLineOptions): string {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.value ? ` ${spec.value}` : ""}`;
    return [flag, spec.help] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return [`usage: ${usage}`, "", ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}${help}`)].join("\n");
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
