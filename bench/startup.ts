/**
 * Time from `npm start` to the first answered request, cold (no synth cache: synth and bundling
 * included) and warm (cached cloud assembly), as medians over a few runs.
 *
 *   npm run bench:startup [-- --runs 3]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort } from "../local/redis-server";
import { PROJECT_ROOT } from "../local/synth";
import { median } from "./statistics";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const runs = Number(values.runs);

async function timeToFirstAnswer(cold: boolean): Promise<number> {
  if (cold) rmSync(join(PROJECT_ROOT, "cdk.out.local"), { recursive: true, force: true });
  const port = await freePort();
  const started = performance.now();
  const child = spawn("npm", ["start", "--", "--port", String(port)], {
    cwd: PROJECT_ROOT,
    stdio: "ignore",
    detached: true,
  });
  try {
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api`);
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      if (performance.now() - started > 60_000) throw new Error("no answer within 60 s");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await stop(child);
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    process.kill(-(child.pid as number), "SIGINT");
  });
}

const results: Record<string, number[]> = { cold: [], warm: [] };
for (let run = 0; run < runs; run++) {
  results.cold?.push(await timeToFirstAnswer(true));
  results.warm?.push(await timeToFirstAnswer(false));
}
for (const [kind, times] of Object.entries(results)) {
  const seconds = times.map((ms) => (ms / 1000).toFixed(2));
  console.log(
    `${kind.padEnd(5)} npm start -> first answer: median ${(median(times) / 1000).toFixed(2)} s  (runs: ${seconds.join(", ")})`,
  );
}
