import { type ChildProcess, spawn } from "node:child_process";
import { PROJECT_ROOT } from "../../local/synth";

/** How a command ended, and everything it printed. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one of the project's scripts on this Node (vitest's, the project's Node 24) in the
 * project's folder, as npm would, to its end: its exit code and output. `stdin` is written and
 * closed; `onStart` gets the process (to attach a debugger, say); `tsx` loads it as `tsx` does
 * (the scripts package.json runs with tsx).
 */
export function runScript(
  script: string,
  args: readonly string[],
  options: {
    env?: NodeJS.ProcessEnv;
    stdin?: string;
    onStart?: (child: ChildProcess) => void;
    tsx?: boolean;
  } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const loader = options.tsx ? ["--import", "tsx"] : [];
    const child = spawn(process.execPath, [...loader, script, ...args], {
      cwd: PROJECT_ROOT,
      env: options.env,
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
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
    options.onStart?.(child);
  });
}
