import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { updateWithFiles } from "../lib/file-hash.ts";
import type { Template } from "./template.ts";

/**
 * Synthesizes the CDK app for local mode, in a child process: the CDK app is loaded fresh every
 * time (so `npm run dev` sees changes to lib/ and the route table), and aws-cdk-lib's memory is
 * returned when it ends. The result is cached by a hash of everything it was built from.
 */

export const PROJECT_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
/** Where local mode synthesizes unless told otherwise. */
export const LOCAL_OUTDIR = join(PROJECT_ROOT, "cdk.out.local");
/** Inputs of the cloud assembly: a change to any of these means synthesizing again. */
const SOURCE_DIRS = ["bin", "lib", "lambdas"];
const SOURCE_FILES = ["package-lock.json", "cdk.json", "tsconfig.json"];

/**
 * `-c name=value` options as CDK context (a later value for a name wins, as with the CDK CLI).
 * Their names are checked where the parameters are read (lib/parameters.ts), so a misspelt one
 * stops synth here as it does in `cdk deploy`.
 */
export function parseContextOptions(pairs: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new Error(`-c expects name=value, got ${JSON.stringify(pair)}`);
    context[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return context;
}

export interface SynthOptions {
  outdir: string;
  context: Record<string, string>;
  /** Module exporting `createApp(props)`; defaults to lib/app.ts. */
  appModule?: string;
  /** Ignore the cache. */
  force?: boolean;
}

export interface SynthResult {
  directory: string;
  stackName: string;
  template: Template;
  cached: boolean;
  ms: number;
}

const DEFAULT_APP_MODULE = join(PROJECT_ROOT, "lib", "app.ts");

/** What the last synthesis into `outdir` wrote, by the key of its inputs; undefined before any. */
export function lastSynthesis(
  outdir: string,
): { key: string; stackName: string; templateFile: string } | undefined {
  const marker = synthesisMarker(outdir);
  return existsSync(marker) ? JSON.parse(readFileSync(marker, "utf8")) : undefined;
}

function synthesisMarker(outdir: string): string {
  return join(outdir, "local-mode.json");
}

export async function synthesize(options: SynthOptions): Promise<SynthResult> {
  const started = performance.now();
  const appModule = options.appModule ?? DEFAULT_APP_MODULE;
  const key = inputsHash(options.context, appModule);
  const previous = options.force ? undefined : lastSynthesis(options.outdir);
  if (previous?.key === key && existsSync(previous.templateFile)) return result(previous, true);
  const output = await runChild([
    "--import",
    "tsx",
    fileURLToPath(import.meta.url),
    "--outdir",
    options.outdir,
    "--context",
    JSON.stringify(options.context),
    "--app",
    appModule,
  ]);
  const synthesized = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as {
    stackName: string;
    templateFile: string;
  };
  writeFileSync(synthesisMarker(options.outdir), JSON.stringify({ key, ...synthesized }));
  return result(synthesized, false);

  function result(assembly: { stackName: string; templateFile: string }, cached: boolean): SynthResult {
    return {
      directory: options.outdir,
      stackName: assembly.stackName,
      template: JSON.parse(readFileSync(assembly.templateFile, "utf8")),
      cached,
      ms: Math.round(performance.now() - started),
    };
  }
}

function runChild(args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      // CDK's built-in template validation costs over a second; `npm run synth` and the CDK tests
      // still run it on the same app.
      env: { ...process.env, CDK_VALIDATION: "false" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolvePromise(stdout);
      else reject(new Error(`synth failed:\n${stderr.trim() || stdout.trim()}`));
    });
  });
}

function inputsHash(context: Record<string, string>, appModule: string): string {
  const hash = createHash("sha256").update(JSON.stringify(context)).update(appModule);
  return updateWithFiles(hash, PROJECT_ROOT, [
    ...[...SOURCE_DIRS, ...SOURCE_FILES].map((path) => join(PROJECT_ROOT, path)),
    fileURLToPath(import.meta.url), // how it synthesizes is an input too
    appModule,
  ]).digest("hex");
}

/** In the child: synthesize and print where the template is. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      outdir: { type: "string", default: "cdk.out" },
      context: { type: "string", default: "{}" },
      app: { type: "string", default: DEFAULT_APP_MODULE },
    },
  });
  const outdir = values.outdir;
  const context = JSON.parse(values.context) as Record<string, string>;
  const module = (await import(pathToFileURL(values.app).href)) as {
    createOrdersApp?: AppFactory;
    createApp?: AppFactory;
  };
  const createApp = module.createApp ?? module.createOrdersApp;
  if (!createApp) throw new Error("the app module exports neither createApp nor createOrdersApp");
  // Asset metadata (aws:asset:path) tells local mode where each function's bundle is; the CDK CLI
  // turns it on by default, a programmatic synth has to ask.
  const { app, stack } = createApp({
    outdir,
    context: { ...context, "aws:cdk:enable-asset-metadata": true },
  });
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  console.log(
    JSON.stringify({
      stackName: stack.stackName,
      templateFile: join(assembly.directory, artifact.templateFile),
    }),
  );
}

type AppFactory = (props: { outdir: string; context: Record<string, unknown> }) => {
  app: { synth(): { directory: string; getStackByName(name: string): { templateFile: string } } };
  stack: { stackName: string };
};

if (import.meta.main) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
