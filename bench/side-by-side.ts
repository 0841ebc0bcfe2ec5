/**
 * End-to-end throughput of local mode, this checkout against another commit, in alternating runs:
 * on a noisy machine only runs taken side by side compare. Each run is `npm start` with orders
 * sent through `POST /produce` until every one is counted; the order of the two alternates.
 *
 * The other commit is checked out in a worktree under the system's temporary directory (kept for
 * the next run) and uses this checkout's node_modules: compare commits whose dependencies match.
 */
import { execFileSync } from "node:child_process";
import { existsSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRedisClient } from "../lambdas/shared/clients";
import { parseCommandLine, usageError } from "../local/command-line";
import { ensureRedis } from "../local/redis-server";
import { PROJECT_ROOT } from "../local/synth";
import { END_TO_END_LOAD, runLoad } from "./load";
import { deleteRunKeys, startLocalModeProcess } from "./local-mode-process";
import { median } from "./statistics";

const USAGE = "npm run bench:side-by-side -- --against <commit> [options]";
const { values } = parseCommandLine(
  USAGE,
  {
    against: { type: "string", value: "COMMIT", help: "the commit to compare with (required)" },
    pairs: { type: "string", value: "N", default: "4", range: [1, 50], help: "runs of each, alternating" },
    orders: { type: "string", value: "N", default: "60000", range: [100, 10_000_000], help: "orders a run" },
  },
  process.argv.slice(2),
  {
    about:
      "The other commit is checked out in a worktree under the system's temporary directory (kept for the next\n" +
      "run) with this checkout's node_modules: compare commits whose dependencies match.",
  },
);
if (!values.against) usageError(USAGE, "--against <commit> is required");
const git = (...args: string[]) => execFileSync("git", args, { cwd: PROJECT_ROOT, encoding: "utf8" }).trim();
const against = git("rev-parse", "--short", `${values.against}^{commit}`);
const here = `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain") ? " + changes" : ""}`;

const worktree = join(tmpdir(), `orders-pipeline-${against}`);
if (!existsSync(worktree)) {
  git("worktree", "add", "--detach", worktree, against);
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(worktree, "node_modules"));
}

const redis = await ensureRedis(process.env.REDIS_URL);
const cleaner = createRedisClient(redis.url);
const sides = [
  { name: here, root: PROJECT_ROOT, rates: [] as number[] },
  { name: against, root: worktree, rates: [] as number[] },
];
console.log(`${values.pairs} pairs of ${values.orders} orders: ${here} against ${against}`);
for (let pair = 0; pair < Number(values.pairs); pair++) {
  for (const side of pair % 2 === 0 ? sides : [...sides].reverse()) {
    const prefix = `sbs:${pair}:${side === sides[0] ? "a" : "b"}:`;
    const mode = await startLocalModeProcess({
      projectRoot: side.root,
      args: ["-c", `keyPrefix=${prefix}`, "-c", "logLevel=WARN"],
      env: { REDIS_URL: redis.url },
    });
    try {
      const result = await runLoad({ url: mode.url, count: Number(values.orders), ...END_TO_END_LOAD });
      if (result.unaccounted !== 0) throw new Error(`${side.name}: ${result.unaccounted} orders unaccounted`);
      side.rates.push(result.consumedPerSecond);
      console.log(`  ${side.name.padEnd(20)} ${Math.round(result.consumedPerSecond)} orders/s`);
    } finally {
      await mode.stop();
      await deleteRunKeys(cleaner, prefix);
    }
  }
}
const [mine, theirs] = sides.map((side) => median(side.rates)) as [number, number];
console.log(
  `medians: ${here} ${Math.round(mine)}, ${against} ${Math.round(theirs)} orders/s; ratio ${(mine / theirs).toFixed(2)}`,
);
cleaner.disconnect();
await redis.stop();
