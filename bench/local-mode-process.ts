/**
 * Local mode as a user runs it: `npm start` in a child process group, ready once it answers its
 * first request (`GET /api`), and the resident memory of every process in that group (npm, node
 * with its environments' threads, a redis-server if it started one) as `ps` reports it.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { deleteDeploymentKeys } from "../lambdas/adapters/redis-maintenance";
import type { RedisClient } from "../lambdas/shared/clients";
import { freePort } from "../local/redis-server";
import { PROJECT_ROOT } from "../local/synth";

const run = promisify(execFile);

export interface LocalModeProcess {
  url: string;
  /** Resident memory of every process local mode consists of, summed, in MiB. */
  residentMiB(): Promise<number>;
  /** Each process's command and resident MiB, for the report. */
  processes(): Promise<{ command: string; residentMiB: number }[]>;
  /** The process id of local mode's node (its threads are the main thread and the environments). */
  nodePid(): Promise<number | undefined>;
  stop(): Promise<void>;
}

export async function startLocalModeProcess(options: {
  args?: string[];
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Another checkout to run, e.g. the previous commit's worktree for a side-by-side run. */
  projectRoot?: string;
}): Promise<LocalModeProcess> {
  const port = await freePort();
  // A state folder of the run's own: a benchmark never touches the developer's .local/ (an older
  // checkout, run side by side, ignores the variable).
  const stateDir = mkdtempSync(join(tmpdir(), "orders-bench-state-"));
  const child = spawn("npm", ["start", "--", "--port", String(port), ...(options.args ?? [])], {
    cwd: options.projectRoot ?? PROJECT_ROOT,
    env: { ...process.env, LOCAL_STATE_DIR: stateDir, ...options.env },
    stdio: ["ignore", "ignore", "pipe"],
    detached: true, // its own process group, so stop() ends all of it
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${stderr}`);
    if (Date.now() > deadline) {
      stopGroup(child);
      throw new Error(`npm start did not answer within the time allowed:\n${stderr}`);
    }
    const ok = await fetch(`${url}/api`).then(
      (response) => response.ok,
      () => false, // not listening yet
    );
    if (ok) break;
    await sleep(50);
  }
  const group = async () => {
    const { stdout } = await run("ps", ["-eo", "pid=,ppid=,rss=,args="]);
    const rows = stdout
      .trim()
      .split("\n")
      .map((line) => {
        const [pid, ppid, rss, ...args] = line.trim().split(/\s+/);
        return { pid: Number(pid), ppid: Number(ppid), rssKiB: Number(rss), command: args.join(" ") };
      });
    const inGroup = new Set([child.pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const row of rows)
        if (inGroup.has(row.ppid) && !inGroup.has(row.pid)) {
          inGroup.add(row.pid);
          grew = true;
        }
    }
    return rows.filter((row) => inGroup.has(row.pid));
  };
  const processes = async () =>
    (await group()).map((row) => ({
      command: row.command.slice(0, 80),
      residentMiB: Math.round(row.rssKiB / 1024),
    }));
  return {
    url,
    processes,
    nodePid: async () => (await group()).find((row) => /^\S*node .*local\/main\.ts/.test(row.command))?.pid,
    residentMiB: async () => (await processes()).reduce((sum, row) => sum + row.residentMiB, 0),
    stop: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      stopGroup(child);
      await exited;
      // Local mode's Redis (a process group of its own) may still be writing there as it exits.
      rmSync(stateDir, { recursive: true, force: true, maxRetries: 10 });
    },
  };
}

function stopGroup(child: ChildProcess): void {
  try {
    process.kill(-(child.pid as number), "SIGTERM");
  } catch {
    // already gone
  }
}

/**
 * Deletes what a run of local mode left in Redis under its key prefix: the figures, and the
 * generation pointer and the rebuild's progress, which outlive a clear by design.
 */
export async function deleteRunKeys(redis: RedisClient, prefix: string): Promise<void> {
  await deleteDeploymentKeys(redis, prefix);
}
