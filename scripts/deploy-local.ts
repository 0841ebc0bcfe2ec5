/**
 * `npm run deploy:local`: checks what would otherwise fail deep inside the CDK CLI (LocalStack up,
 * its host names resolving here, the Lambda images pulled, a route change LocalStack cannot apply
 * in place), then bootstraps, deploys with cdklocal and prints the invoke URL with commands to
 * try it. `npm run destroy:local` removes the stack.
 */
import { spawnSync } from "node:child_process";
import { lookup } from "node:dns/promises";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Template } from "../local/template";
import {
  curlCommands,
  type DeployedApi,
  deployedApiOf,
  dnsAdvice,
  imagesToPull,
  LOCALSTACK_ENDPOINT,
  LOCALSTACK_HOSTS,
  parseStackOutputs,
  type Resolution,
  redeployPlan,
  stackOf,
} from "./localstack";

const { values: options } = parseArgs({
  options: {
    destroy: { type: "boolean", default: false }, // npm run destroy:local
    "api-keys": { type: "boolean", default: false }, // writes need an API key, as on AWS by default
  },
});

const OUTPUTS_FILE = "cdk-outputs.json";
const ASSEMBLY_DIR = "cdk.out";
/** The last deploy's API routes, to see a change LocalStack cannot apply in place (git-ignored). */
const LAST_DEPLOY_FILE = ".deploy-local.json";

async function localstackIsUp(): Promise<boolean> {
  try {
    const response = await fetch(`${LOCALSTACK_ENDPOINT}/_localstack/health`, {
      signal: AbortSignal.timeout(3000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

function cdklocal(...args: string[]): void {
  console.log(`\n$ cdklocal ${args.join(" ")}`);
  const result = spawnSync("npx", ["cdklocal", ...args], { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(
      `\ncdklocal ${args[0]} failed. If LocalStack was restarted, bootstrap and deploy again; if an update fails, run npm run destroy:local and deploy again.`,
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

/** Pulls the Lambda images the template needs that Docker does not have, showing progress. */
function pullLambdaImages(template: Template): void {
  const listed = spawnSync("docker", ["images", "--format", "{{.Repository}}:{{.Tag}}"], {
    encoding: "utf8",
  });
  if (listed.status !== 0) {
    console.log(
      "docker is not on PATH here: LocalStack will pull the Lambda image on first use (slow, silent).",
    );
    return;
  }
  for (const image of imagesToPull(template, listed.stdout)) {
    console.log(`\n$ docker pull ${image}    (LocalStack runs the functions in it)`);
    if (spawnSync("docker", ["pull", image], { stdio: "inherit" }).status !== 0) {
      fail([`could not pull ${image}; LocalStack would fail to create the functions without it.`]);
    }
  }
}

function readLastDeploy(): DeployedApi | undefined {
  return existsSync(LAST_DEPLOY_FILE)
    ? (JSON.parse(readFileSync(LAST_DEPLOY_FILE, "utf8")) as DeployedApi)
    : undefined;
}

if (!(await localstackIsUp())) {
  fail([
    `LocalStack does not answer at ${LOCALSTACK_ENDPOINT}. Start it with Redis beside it:`,
    "  docker compose up -d --wait",
    "(newer images need LOCALSTACK_AUTH_TOKEN; the default 4.14.0 image does not)",
  ]);
}

const advice = dnsAdvice(await Promise.all(LOCALSTACK_HOSTS.map(resolve)));
if (advice.length > 0) fail(advice);

if (options.destroy) {
  cdklocal("destroy", "--force");
  rmSync(LAST_DEPLOY_FILE, { force: true });
  process.exit(0);
}

// Synthesize once; the checks read the template, and the deploy uses the same assembly. Writes are
// open on LocalStack, as the original's clients expect, unless --api-keys asks for keys.
const writeAuth = options["api-keys"] ? "apiKey" : "open";
cdklocal("synth", "--quiet", "-c", `writeAuth=${writeAuth}`);
const { stackName, templateFile } = stackOf(readFileSync(join(ASSEMBLY_DIR, "manifest.json"), "utf8"));
const template = JSON.parse(readFileSync(join(ASSEMBLY_DIR, templateFile), "utf8")) as Template;
pullLambdaImages(template);

const next = deployedApiOf(stackName, template);
const plan = redeployPlan(readLastDeploy(), next);
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
const outputs = parseStackOutputs(readFileSync(OUTPUTS_FILE, "utf8"));
console.log(`\nDeployed ${outputs.stackName}. Try it:`);
for (const command of curlCommands(outputs.invokeUrl)) console.log(`  ${command}`);
console.log(`\nDocs:      ${outputs.invokeUrl}docs\nDashboard: ${outputs.invokeUrl}dashboard`);
console.log("\nThe consumer polls every few seconds: give it a moment before the stats fill in.");
