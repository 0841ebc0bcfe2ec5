import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { freePort } from "../../local/redis-server";
import { PROJECT_ROOT } from "../../local/synth";

/**
 * The README's Quick start, "Then" and Develop command blocks, run as a newcomer runs them: each
 * line verbatim in bash, with plain `npm run`, against `npm start` started by the Quick start's own
 * line, whose banner must be the README's sample; then Ctrl-C, `npm start` again, and the figures
 * and the admin token are what they were, and a rebuild restores the same figures. So the README
 * cannot drift from what works.
 *
 * What differs from a person's terminal, and only this: the port (PORT, and `3000` in the lines
 * replaced by it, so a local mode already on 3000 does not fail the test) and the state folder
 * (LOCAL_STATE_DIR, and the lines run in a folder of the test's whose `.local` it is, so the
 * developer's own `.local/` is never touched). Lines that cannot run here are listed below, each
 * with the reason.
 */

const NOT_RUN_HERE: Record<string, string> = {
  "npm install && npm test": "npm test is what runs this test",
  "npm run dev":
    "runs until Ctrl-C like npm start, which this test runs; reload: test/e2e/local-mode.test.ts",
  "npm start -- --inspect Stats":
    "a second local mode beside this one's; the inspector: test/e2e/invoke.test.ts",
  "npm run invoke -- Consumer --event event.json --inspect":
    "waits for a debugger to attach: test/e2e/invoke.test.ts attaches one",
};
const START_LINE = "npm install && npm start";

const README = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");

/** The lines of the first ```bash block after `marker`. */
function bashBlockAfter(marker: string): string[] {
  const at = README.indexOf(marker);
  expect(at, `README has ${marker}`).toBeGreaterThanOrEqual(0);
  const block = /```bash\n([\s\S]*?)```/.exec(README.slice(at));
  expect(block, `a bash block after ${marker}`).not.toBeNull();
  return (block?.[1] ?? "").split("\n").filter((line) => line.trim() !== "");
}

const commandOf = (line: string) => line.replace(/\s+#.*$/, "").trim();

/**
 * The start-up banner, from its first line to "Ctrl-C stops everything.", with what differs
 * between two runs (times, ports, the token, the state folder's path) written the same way.
 */
function bannerOf(text: string, stateParent = ""): string[] {
  const lines = text.split("\n");
  const first = lines.findIndex((line) => line.startsWith("Orders pipeline running locally"));
  const last = lines.indexOf("Ctrl-C stops everything.");
  expect(first, text).toBeGreaterThanOrEqual(0);
  expect(last, text).toBeGreaterThan(first);
  return lines.slice(first, last + 1).map((line) =>
    line
      .replaceAll(stateParent, "")
      .replace(/\(synth [^)]*\)/, "(synth)")
      .replace(/ADMIN_TOKEN=\S+/, "ADMIN_TOKEN=<token>")
      .replace(/\d+(\.\d+)?/g, "<n>"),
  );
}

const port = await freePort();
mkdirSync(join(PROJECT_ROOT, "cdk.out.test"), { recursive: true });
// Inside the project, as a person's shell is: npm finds package.json above it.
const workdir = mkdtempSync(join(PROJECT_ROOT, "cdk.out.test", "readme-"));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PORT: String(port),
  LOCAL_STATE_DIR: join(workdir, ".local"),
  NO_COLOR: "1",
};
// A person's shell has none of these unless they set them: local mode chooses on its own.
for (const name of [
  "REDIS_URL",
  "REDIS_MODE",
  "ADMIN_TOKEN",
  "API_KEY",
  "NODE_OPTIONS",
  "VITEST",
  "INIT_CWD",
])
  delete env[name];

const localise = (line: string) => line.replaceAll(":3000", `:${port}`);

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** The Quick start's first line, in the background, until its banner says it is ready. */
async function startLocalMode(line: string): Promise<Started> {
  const child = spawn("bash", ["-c", line], { cwd: workdir, env, detached: true });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  await vi.waitFor(
    () => {
      expect(child.exitCode, output).toBeNull();
      expect(output).toContain("Ctrl-C stops everything.");
    },
    { timeout: 300_000, interval: 200 },
  );
  return { child, output: () => output };
}

/** Ctrl-C, as a terminal sends it: to the whole process group. */
async function interrupt(started: Started): Promise<void> {
  const exited = new Promise((resolve) => started.child.once("exit", resolve));
  process.kill(-(started.child.pid as number), "SIGINT");
  await exited;
}

/** Runs the lines in one bash, as typed one after another; each one's output apart. */
function runLines(
  lines: readonly string[],
): Promise<{ code: number | null; all: string; outputs: string[] }> {
  const script = [
    "set -eo pipefail",
    ...lines.flatMap((line, index) => [`echo '${MARK}${index}'`, localise(line)]),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script.join("\n")], { cwd: workdir, env });
    let stdout = "";
    let all = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      all += chunk;
    });
    child.stderr.on("data", (chunk) => {
      all += chunk; // curl's progress meter, npm's notices: shown only when a line failed
    });
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, all, outputs: stdout.split(new RegExp(`${MARK}\\d+\\n`)).slice(1) }),
    );
  });
}

const MARK = "=== README line ";

const api = (path: string) => fetch(`http://127.0.0.1:${port}${path}`);
// biome-ignore lint/suspicious/noExplicitAny: figures, compared whole
const json = async (path: string): Promise<any> => (await api(path)).json();

async function settledFigures() {
  return vi.waitFor(
    async () => {
      const queues = await json("/stats/queues");
      expect(queues.queue.messages + queues.queue.in_flight).toBe(0);
      return {
        global: await json("/stats/global"),
        users: await json("/users?limit=100"),
        months: await json("/stats/months"),
      };
    },
    { timeout: 60_000, interval: 250 },
  );
}

/** The rebuild started at or after `since`, once done. */
async function rebuildDone(since: number) {
  return vi.waitFor(
    async () => {
      const report = await json("/admin/rebuild");
      expect(report.status, JSON.stringify(report)).toBe("done");
      expect(Date.parse(report.started_at)).toBeGreaterThanOrEqual(since - 1_000);
      return report;
    },
    { timeout: 120_000, interval: 250 },
  );
}

let running: Started | undefined;
afterAll(async () => {
  if (running && running.child.exitCode === null) await interrupt(running);
  rmSync(workdir, { recursive: true, force: true });
});

describe("the README's commands, verbatim", () => {
  const quickStart = bashBlockAfter("## Quick start");
  const then = bashBlockAfter("\nThen, in another terminal:\n");
  const sampleOutput = /```\n(Orders pipeline running locally[\s\S]*?)```/.exec(README)?.[1] ?? "";
  const develop = bashBlockAfter("## Develop");

  it("lists every line it does not run here, with the reason", () => {
    const all = [...quickStart, ...then, ...develop].map(commandOf);
    expect(all).toContain(START_LINE);
    for (const skipped of Object.keys(NOT_RUN_HERE))
      expect(all, `README still has: ${skipped}`).toContain(skipped);
  });

  it("Quick start, Then and Develop work against npm start; after Ctrl-C and npm start again, every figure and the admin token are kept, and a rebuild restores the same figures", async () => {
    const startLine = quickStart.find((line) => commandOf(line) === START_LINE) as string;
    running = await startLocalMode(startLine);
    // Local mode names its state folder relative to the project, where npm runs it.
    expect(bannerOf(running.output(), `${relative(PROJECT_ROOT, workdir)}/`)).toEqual(bannerOf(sampleOutput));
    const exported = /export ADMIN_TOKEN=(\S+)/.exec(running.output())?.[1];
    expect(exported, running.output()).toBeDefined();

    const thenLines = then.filter((line) => !(commandOf(line) in NOT_RUN_HERE));
    const thenStarted = Date.now();
    const thenRun = await runLines(thenLines);
    expect(thenRun.code, thenRun.all).toBe(0);
    thenLines.forEach((line, index) => {
      const output = thenRun.outputs[index] ?? "";
      const shown = `${line}\n${output.slice(0, 400)}`;
      expect(output, shown).not.toMatch(/"error"|command not found|No such file/);
      if (line.startsWith("curl")) expect(output, shown).toMatch(/^[{[]/); // a JSON answer
    });
    await rebuildDone(thenStarted);
    const figures = await settledFigures();
    expect(figures.global.total_orders + figures.global.failed_orders).toBeGreaterThanOrEqual(100);

    const developRun = await runLines(develop.filter((line) => !(commandOf(line) in NOT_RUN_HERE)));
    expect(developRun.code, developRun.all).toBe(0);
    expect(developRun.all).toContain('"batchItemFailures"');
    expect(developRun.all).toContain('"statusCode": 200');
    expect(existsSync(join(workdir, "event.json"))).toBe(true);
    const afterDevelop = await settledFigures();

    await interrupt(running);
    expect(running.output()).toContain("stopping...");
    running = await startLocalMode("npm start");
    expect(/export ADMIN_TOKEN=(\S+)/.exec(running.output())?.[1]).toBe(exported);
    expect(await settledFigures()).toEqual(afterDevelop);

    const started = Date.now();
    const post = await fetch(`http://127.0.0.1:${port}/admin/rebuild`, {
      method: "POST",
      headers: { authorization: `Bearer ${exported}` },
    });
    expect(post.status, await post.clone().text()).toBe(202);
    await rebuildDone(started);
    expect(await settledFigures()).toEqual(afterDevelop);
  }, 900_000);
});
