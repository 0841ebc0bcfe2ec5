/**
 * One HTTP load run the benchmarks share: 32 connections for some seconds, with wrk when the
 * machine has it (a C program: more of the machine is left to the servers measured) or else
 * autocannon (an npm devDependency, always there). Requests a second and p99 latency.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../local/synth";

const run = promisify(execFile);

export interface HttpLoadResult {
  requestsPerSecond: number;
  p99Ms: number;
}

const MS_PER_UNIT: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
let tool: Promise<"wrk" | "autocannon"> | undefined;

/** Which load tool this machine has (wrk prints its version and exits 1). */
export function httpLoadTool(): Promise<"wrk" | "autocannon"> {
  tool ??= run("wrk", ["--version"]).then(
    () => "wrk" as const,
    (error: { stdout?: string }) => (error.stdout?.includes("wrk") ? "wrk" : "autocannon"),
  );
  return tool;
}

export async function httpLoad(url: string, seconds: number, connections = 32): Promise<HttpLoadResult> {
  if ((await httpLoadTool()) === "wrk") {
    const { stdout } = await run("wrk", ["-t2", `-c${connections}`, `-d${seconds}s`, "--latency", url]);
    const requestsPerSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
    const [, value = "0", unit = "ms"] = /\s99%\s+([\d.]+)(us|ms|s)/.exec(stdout) ?? [];
    return { requestsPerSecond, p99Ms: Number(value) * (MS_PER_UNIT[unit] ?? 1) };
  }
  const autocannon = join(PROJECT_ROOT, "node_modules", ".bin", "autocannon");
  const { stdout } = await run(
    autocannon,
    ["--json", "-c", String(connections), "-d", String(seconds), url],
    {
      maxBuffer: 10 * 1024 * 1024,
    },
  );
  const report = JSON.parse(stdout) as { requests: { average: number }; latency: { p99: number } };
  return { requestsPerSecond: report.requests.average, p99Ms: report.latency.p99 };
}
