/**
 * `npm run deploy:local`: deploys the stack with cdklocal to whichever LocalStack-compatible
 * emulator answers on the endpoint (LocalStack, MiniStack, Floci). It finds out which one it is
 * and where its functions run (so which Redis they can reach), checks what would otherwise fail
 * deep inside the CDK CLI (host names, Lambda images, a route change LocalStack cannot apply in
 * place), bootstraps, deploys, checks the event source mapping as the emulator reports it, and
 * prints the path-style invoke URL with commands to try. `npm run destroy:local` removes the stack.
 * `npm run deploy:local -- --help` lists the options.
 */
import { spawnSync } from "node:child_process";
import { lookup } from "node:dns/promises";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { CONTEXT_OPTION, parseCommandLine } from "../local/command-line";
import { redisAnswers } from "../local/redis-server";
import { parseContextOptions } from "../local/synth";
import type { Template } from "../local/template";
import { emulatorClients } from "./emulator-clients";
import {
  chooseRedisUrl,
  EMULATOR_NAMES,
  type Emulator,
  emulatorNotes,
  type FunctionHost,
  functionHostOf,
  HEALTH_PATHS,
  type HealthAnswer,
  hostRedisCandidates,
  identifyEmulator,
  mappingDifferences,
  mappingFromApi,
  mappingFromTemplate,
} from "./emulators";
import {
  cdklocalEnvironment,
  curlCommands,
  type DeployedApi,
  deployedApiOf,
  dnsAdvice,
  imagesToPull,
  invokeUrl,
  LOCALSTACK_ENDPOINT,
  LOCALSTACK_HOSTS,
  parseStackOutputs,
  type Resolution,
  redeployPlan,
  stackOf,
} from "./localstack";

// npm run destroy:local is this script with --destroy: its help and messages say so.
const script = process.argv.includes("--destroy") ? "destroy:local" : "deploy:local";
const { values: options } = parseCommandLine(
  `npm run ${script} -- [options]`,
  {
    endpoint: { type: "string", value: "URL", default: LOCALSTACK_ENDPOINT, help: "the emulator's address" },
    context: CONTEXT_OPTION,
    "api-keys": {
      type: "boolean",
      help: "protect writes with an API key, as a plain cdk deploy to AWS does (without it, writes are open)",
    },
    destroy: { type: "boolean", help: "remove the stack instead (what npm run destroy:local runs)" },
  },
  process.argv.slice(2),
  {
    about:
      "Deploys the stack with cdklocal to the LocalStack-compatible emulator on the endpoint (LocalStack,\n" +
      "MiniStack or Floci), and prints the API's URL with commands to try.",
  },
);

const ENDPOINT = options.endpoint.replace(/\/+$/, "");
const OUTPUTS_FILE = "cdk-outputs.json";
const ASSEMBLY_DIR = "cdk.out";
/** The last deploy's API routes, to see a change LocalStack cannot apply in place (git-ignored). */
const LAST_DEPLOY_FILE = ".deploy-local.json";
/** The compose profile's MiniStack container (docker-compose.yml). */
const MINISTACK_CONTAINER = "orders-ministack";
const CDKLOCAL_ENV = { ...process.env, ...cdklocalEnvironment(ENDPOINT) };

async function health(path: string): Promise<HealthAnswer> {
  try {
    const response = await fetch(`${ENDPOINT}${path}`, { signal: AbortSignal.timeout(3000) });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  } catch {
    return undefined;
  }
}

async function detectEmulator(): Promise<Emulator | undefined> {
  const answers = Object.fromEntries(
    await Promise.all(HEALTH_PATHS.map(async (path) => [path, await health(path)] as const)),
  );
  return identifyEmulator(answers);
}

function cdklocal(...args: string[]): void {
  console.log(`\n$ cdklocal ${args.join(" ")}`);
  const result = spawnSync("npx", ["cdklocal", ...args], { stdio: "inherit", env: CDKLOCAL_ENV });
  if (result.status !== 0) {
    console.error(
      `\ncdklocal ${args[0]} failed. If the emulator was restarted, bootstrap and deploy again; if an update fails, run npm run destroy:local and deploy again (docs/emulators.md lists known emulator bugs).`,
    );
    process.exit(result.status ?? 1);
  }
}

function fail(lines: readonly string[]): never {
  console.error(lines.join("\n"));
  process.exit(1);
}

async function resolve(host: string): Promise<Resolution> {
  try {
    return { host, addresses: (await lookup(host, { all: true })).map((a) => a.address) };
  } catch (error) {
    return { host, error: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}

function dockerAvailable(): boolean {
  return (
    spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], { encoding: "utf8" }).status === 0
  );
}

function containerRunning(name: string): boolean {
  const inspected = spawnSync("docker", ["inspect", "-f", "{{.State.Running}}", name], { encoding: "utf8" });
  return inspected.status === 0 && inspected.stdout.trim() === "true";
}

/** Pulls the Lambda images the template needs that Docker does not have, showing progress. */
function pullLambdaImages(template: Template, emulatorName: string): void {
  const listed = spawnSync("docker", ["images", "--format", "{{.Repository}}:{{.Tag}}"], {
    encoding: "utf8",
  });
  if (listed.status !== 0) {
    console.log(
      `docker is not on PATH here: ${emulatorName} will pull the Lambda image on first use (slow, silent).`,
    );
    return;
  }
  for (const image of imagesToPull(template, listed.stdout)) {
    console.log(`\n$ docker pull ${image}    (${emulatorName} runs the functions in it)`);
    if (spawnSync("docker", ["pull", image], { stdio: "inherit" }).status !== 0) {
      fail([`could not pull ${image}; ${emulatorName} would fail to create the functions without it.`]);
    }
  }
}

function readLastDeploy(): DeployedApi | undefined {
  return existsSync(LAST_DEPLOY_FILE)
    ? (JSON.parse(readFileSync(LAST_DEPLOY_FILE, "utf8")) as DeployedApi)
    : undefined;
}

/** The Redis URL the functions get, said aloud, or advice when none is reachable. */
async function redisUrlFor(
  emulator: Emulator,
  host: FunctionHost,
  context: Record<string, string>,
): Promise<string | undefined> {
  if (context.redisSecretName || context.redisMode === "elasticache") return undefined;
  const candidates = hostRedisCandidates(process.env);
  const answering =
    host === "host" && !context.redisUrl
      ? (
          await Promise.all(candidates.map(async (url) => ((await redisAnswers(url)) ? url : undefined)))
        ).filter((url): url is string => url !== undefined)
      : [];
  const url = chooseRedisUrl({ explicit: context.redisUrl, host, answeringHostUrls: answering, candidates });
  if (!url) {
    fail([
      `${EMULATOR_NAMES[emulator.kind]} runs the functions on this machine, and no Redis answers at ${candidates.join(" or ")}.`,
      "Start the compose Redis (docker compose up -d redis) or a local one (redis-server), or name one:",
      "  npm run deploy:local -- -c redisUrl=redis://host:port",
    ]);
  }
  console.log(
    `Functions run ${host === "host" ? "on this machine" : "in containers on the compose network"}: Redis is ${url}${context.redisUrl ? " (-c redisUrl)" : ""}.`,
  );
  return url;
}

/** Compares the deployed event source mapping with the template's; a dropped ReportBatchItemFailures stops here. */
async function checkEventSourceMapping(template: Template, emulatorName: string): Promise<void> {
  const declared = Object.values(template.Resources).find(
    (resource) => resource.Type === "AWS::Lambda::EventSourceMapping",
  );
  if (!declared) return;
  const { lambda } = emulatorClients(ENDPOINT);
  const { EventSourceMappings: mappings = [] } = await lambda.send(new ListEventSourceMappingsCommand({}));
  const consumer = mappings.find((mapping) => mapping.FunctionArn?.includes("-Consumer"));
  if (!consumer) {
    console.log(
      `\n${emulatorName} lists no event source mapping for the consumer: orders would never be counted.`,
    );
    return;
  }
  const differences = mappingDifferences(
    mappingFromTemplate(declared.Properties ?? {}),
    mappingFromApi(consumer),
  );
  for (const difference of differences) {
    const line = `${difference.setting}: the template sets ${difference.expected}, ${emulatorName} reports ${difference.reported}`;
    console.log(difference.severity === "error" ? `\nERROR ${line}` : `\nnote: ${line}`);
  }
  if (differences.some((difference) => difference.severity === "error")) {
    fail([
      `${emulatorName} dropped partial batch failures: a batch with one failed record would be deleted whole.`,
      "Use a release that keeps them (docs/emulators.md names the versions known to work).",
    ]);
  }
}

const emulator = await detectEmulator();
if (!emulator) {
  fail([
    `No LocalStack-compatible emulator answers at ${ENDPOINT}. Start one with Redis beside it:`,
    "  docker compose up -d --wait                      LocalStack 4.14.0 (the last without an auth token)",
    "  docker compose --profile ministack up -d --wait  MiniStack",
    "  docker compose --profile floci up -d --wait      Floci",
    "or MiniStack without Docker: docs/emulators.md. Another address: --endpoint http://host:port",
  ]);
}
const emulatorName = EMULATOR_NAMES[emulator.kind];
console.log(`${emulatorName} ${emulator.version} answers at ${ENDPOINT}.`);

const advice = dnsAdvice(await Promise.all(LOCALSTACK_HOSTS.map(resolve)));
if (advice.length > 0) fail(advice);

if (options.destroy) {
  cdklocal("destroy", "--force");
  rmSync(LAST_DEPLOY_FILE, { force: true });
  process.exit(0);
}

// Synthesize once; the checks read the template, and the deploy uses the same assembly. Writes are
// open on an emulator, as the original's clients expect, unless --api-keys asks for keys;
// POST /produce is on (off by default on AWS); and tracing is off, since no emulator records
// traces (MiniStack and Floci have no X-Ray API: docs/console.md).
const context = parseContextOptions(options.context ?? []);
context.writeAuth ??= options["api-keys"] ? "apiKey" : "open";
context.produce ??= "on";
context.tracing ??= "off";
const ministackInCompose =
  emulator.kind === "ministack" && dockerAvailable() && containerRunning(MINISTACK_CONTAINER);
const functionHost = functionHostOf(emulator.kind, ministackInCompose);
const redisUrl = await redisUrlFor(emulator, functionHost, context);
if (redisUrl) context.redisUrl = redisUrl;
for (const note of emulatorNotes(emulator, functionHost)) console.log(`note: ${note}`);

const contextArgs = Object.entries(context).flatMap(([name, value]) => ["-c", `${name}=${value}`]);
cdklocal("synth", "--quiet", ...contextArgs);
const { stackName, templateFile } = stackOf(readFileSync(join(ASSEMBLY_DIR, "manifest.json"), "utf8"));
const template = JSON.parse(readFileSync(join(ASSEMBLY_DIR, templateFile), "utf8")) as Template;
// Functions in AWS's runtime images: pull them now, with progress, not silently during the deploy.
if (functionHost === "compose") pullLambdaImages(template, emulatorName);

const next = deployedApiOf(stackName, template);
const plan =
  emulator.kind === "localstack" ? redeployPlan(readLastDeploy(), next) : { destroyFirst: false as const };
if (plan.destroyFirst) {
  console.log(
    [
      "\nThe API's routes changed since the last deploy. LocalStack cannot replace an API Gateway",
      "deployment in place (the API would answer 403 afterwards), so the stack is destroyed first.",
      ...plan.added.map((route) => `  + ${route}`),
      ...plan.removed.map((route) => `  - ${route}`),
      "Queues and functions are created again; Redis keeps its data.",
    ].join("\n"),
  );
  cdklocal("destroy", "--force", "--app", ASSEMBLY_DIR);
}

cdklocal("bootstrap", "--app", ASSEMBLY_DIR);
cdklocal("deploy", "--app", ASSEMBLY_DIR, "--require-approval", "never", "--outputs-file", OUTPUTS_FILE);
writeFileSync(LAST_DEPLOY_FILE, `${JSON.stringify(next, null, 2)}\n`);
await checkEventSourceMapping(template, emulatorName);

const outputs = parseStackOutputs(readFileSync(OUTPUTS_FILE, "utf8"));
// The path-style URL works on every emulator; their ApiUrl outputs point at AWS or need DNS.
const url = invokeUrl(outputs.apiId, "prod", ENDPOINT);
console.log(`\nDeployed ${outputs.stackName} to ${emulatorName}. Try it:`);
for (const command of curlCommands(url)) console.log(`  ${command}`);
console.log(`\nDocs:      ${url}docs\nDashboard: ${url}dashboard`);
console.log(
  `Check it:  npm run smoke${ENDPOINT === LOCALSTACK_ENDPOINT ? "" : ` -- --endpoint ${ENDPOINT}`}`,
);
console.log("\nThe consumer polls every few seconds: give it a moment before the stats fill in.");
