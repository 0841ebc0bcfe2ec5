/**
 * `npm run deploy:local`: checks that LocalStack is up, bootstraps, deploys with cdklocal, and
 * prints the invoke URL with commands to try it. `npm run destroy:local` removes the stack.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { curlCommands, LOCALSTACK_ENDPOINT, parseStackOutputs } from "./localstack";

const OUTPUTS_FILE = "cdk-outputs.json";

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

if (!(await localstackIsUp())) {
  console.error(
    [
      `LocalStack does not answer at ${LOCALSTACK_ENDPOINT}. Start it with Redis beside it:`,
      "  docker compose up -d --wait",
      "(newer images need LOCALSTACK_AUTH_TOKEN; the default 4.14.0 image does not)",
    ].join("\n"),
  );
  process.exit(1);
}

if (process.argv.includes("--destroy")) {
  cdklocal("destroy", "--force");
  process.exit(0);
}

cdklocal("bootstrap");
cdklocal("deploy", "--require-approval", "never", "--outputs-file", OUTPUTS_FILE);
const outputs = parseStackOutputs(readFileSync(OUTPUTS_FILE, "utf8"));
console.log(`\nDeployed ${outputs.stackName}. API: ${outputs.invokeUrl}`);
console.log(`Docs: ${outputs.invokeUrl}docs\n\nTry it:`);
for (const command of curlCommands(outputs.invokeUrl)) console.log(`  ${command}`);
console.log("\nThe consumer polls every few seconds: give it a moment before the stats fill in.");
