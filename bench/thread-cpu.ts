/**
 * CPU time by thread, from Linux's /proc: what a benchmark spends in each part of a process
 * (local mode's main thread, each function's environments, V8's helpers), and in Redis by its own
 * count (`INFO cpu`), with the commands it ran (`INFO commandstats`). Elsewhere than Linux the
 * threads read as none.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Redis } from "ioredis";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds of each thread of a process, by the thread's name (summed over threads of one name). */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const task of tasks) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
      // pid (comm) state ...: comm may hold spaces; the fields after its ')' are fixed.
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
      byName.set(name, (byName.get(name) ?? 0) + ticks / TICKS_PER_SECOND);
    } catch {
      // the thread ended meanwhile
    }
  }
  return byName;
}

/** Redis's own CPU seconds and its commands run so far, by command. */
export async function redisCounters(
  redis: Redis,
): Promise<{ cpuSeconds: number; calls: Map<string, number> }> {
  const [cpu, commands] = await Promise.all([redis.info("cpu"), redis.info("commandstats")]);
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)?.[1] ?? 0);
  const calls = new Map<string, number>();
  for (const [, command, count] of commands.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g))
    calls.set(command as string, Number(count));
  return { cpuSeconds: field("used_cpu_user") + field("used_cpu_sys"), calls };
}
