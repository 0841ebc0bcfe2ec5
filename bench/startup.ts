/**
 * Time from `npm start` to the first answered request, cold (no synth cache: synth and bundling
 * included) and warm (cached cloud assembly), as medians over a few runs.
 */
import { rmSync } from "node:fs";
import { parseCommandLine } from "../local/command-line";
import { LOCAL_OUTDIR } from "../local/synth";
import { startLocalModeProcess } from "./local-mode-process";
import { median } from "./statistics";

const { values } = parseCommandLine(
  "npm run bench:startup -- [options]",
  { runs: { type: "string", value: "N", default: "3", range: [1, 50], help: "cold and warm starts each" } },
  process.argv.slice(2),
);
const runs = Number(values.runs);

async function timeToFirstAnswer(cold: boolean): Promise<number> {
  if (cold) rmSync(LOCAL_OUTDIR, { recursive: true, force: true });
  const started = performance.now();
  const mode = await startLocalModeProcess({ readyTimeoutMs: 60_000 });
  const elapsed = performance.now() - started;
  await mode.stop();
  return elapsed;
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
