import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, isRunning } from "../../local/redis-server";
import { PROJECT_ROOT } from "../../local/synth";
import { apiEvent } from "../../scripts/events";
import { type Run, runScript } from "../support/processes";
import { redisMode, redisUrl } from "../support/redis";

/**
 * The npm scripts' command lines as a person mistypes them: every wrong flag, value or Redis ends
 * at once with a message saying what is accepted, never a stack trace or a silently ignored
 * setting, and `--help` of every script prints its options instead of running it.
 */

const stateDir = mkdtempSync(join(tmpdir(), "orders-command-line-"));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

function run(script: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_STATE_DIR: stateDir, NO_COLOR: "1", ...extraEnv };
  if (!extraEnv.REDIS_URL) delete env.REDIS_URL;
  return runScript(script, args, { env });
}

const start = (args: string[], env?: Record<string, string>) => run("local/main.ts", args, env);

describe("npm start's command line", () => {
  it("--help prints every option and exits 0", async () => {
    const help = await start(["--help"]);
    expect(help.code).toBe(0);
    for (const option of ["--port N", "--state-dir DIR", "--ephemeral", "-c, --context name=value", "--help"])
      expect(help.stdout).toContain(option);
  });

  it("refuses a wrong value or option, saying what is accepted", async () => {
    const port = await start(["--port", "abc"]);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port must be a whole number from 0 to 65535, not "abc"');
    const envPort = await start([], { PORT: "70000" });
    expect(envPort.code).toBe(2);
    expect(envPort.stderr).toContain("PORT must be a whole number from 0 to 65535");
    const concurrency = await start(["--function-concurrency", "0"]);
    expect(concurrency.code).toBe(2);
    expect(concurrency.stderr).toContain("--function-concurrency must be a whole number from 1");
    const logFormat = await start([], { LOG_FORMAT: "xml" });
    expect(logFormat.code).toBe(2);
    expect(logFormat.stderr).toContain('LOG_FORMAT must be json or text (Lambda\'s log formats), not "xml"');
    // A negative number is a wrong value too, not an option forgotten ("argument is ambiguous").
    const negative = await start(["--port", "-1"]);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('--port must be a whole number from 0 to 65535, not "-1"');
    // `npm start --ephemeral`, the `--` forgotten: npm keeps the option as a variable of its own.
    const npmTook = await start([], { npm_config_ephemeral: "true" });
    expect(npmTook.code).toBe(2);
    expect(npmTook.stderr).toContain(
      "npm took --ephemeral for its own option: put the options after --, as in npm start -- --ephemeral",
    );
    const unknown = await start(["--prot", "3000"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--prot'; did you mean --port?");
    expect(unknown.stderr).toContain("--help lists the options");
    for (const run of [port, envPort, concurrency, logFormat, negative, npmTook, unknown])
      expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("stops, naming it, when REDIS_URL does not answer, instead of running on another Redis", async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const started = await start(["--ephemeral", "--port", "0"], { REDIS_URL: dead });
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(`REDIS_URL=${dead} does not answer`);
    expect(started.stdout).not.toContain("running locally");
  }, 120_000);

  it("refuses a stack parameter it does not know, with the nearest name", async () => {
    const started = await start(["--ephemeral", "--port", "0", "-c", "batchsize=50"]);
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(
      "-c batchsize: no stack parameter has that name; did you mean batchSize?",
    );
  }, 120_000);
});

describe("npm run invoke's command line", () => {
  it("--help prints its options; a missing function or event file is a message, not a trace", async () => {
    const help = await run("scripts/invoke.ts", ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--event FILE");
    const none = await run("scripts/invoke.ts", []);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("usage: npm run invoke -- <function>");
    const missing = await run("scripts/invoke.ts", ["Stats", "--event", "no-such-event.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no-such-event.json");
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("npm run reset", () => {
  it("refuses while a local mode runs on the folder, saying so and deleting nothing; then deletes it", async () => {
    const folder = mkdtempSync(join(tmpdir(), "orders-reset-"));
    const figures = join(folder, "redis", "appendonly.aof");
    mkdirSync(join(folder, "redis"));
    writeFileSync(figures, "kept");
    // A running local mode's lock: this test's own process is alive, as a running npm start is.
    writeFileSync(join(folder, "local-mode.json"), JSON.stringify({ pid: process.pid }));
    const refused = await run("scripts/reset.ts", ["--state-dir", folder]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`local mode (pid ${process.pid}) is running on ${folder}`);
    expect(refused.stderr).toContain("stop it (Ctrl-C) first; nothing was deleted");
    expect(refused.stderr).not.toContain("--ephemeral"); // npm start's advice, not reset's
    expect(existsSync(figures)).toBe(true);
    rmSync(join(folder, "local-mode.json"));
    const reset = await run("scripts/reset.ts", ["--state-dir", folder]);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain("the next npm start begins empty");
    expect(existsSync(folder)).toBe(false);
  }, 60_000);
});

/** Local mode's own Redis, still running after the command ended: its pid file, which Redis removes as it stops. */
function leftRedis(folder: string): number | undefined {
  const pidFile = join(folder, "redis", "redis.pid");
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : undefined;
  return pid !== undefined && isRunning(pid) ? pid : undefined;
}

/** Starts `script`, sends SIGINT once `ready` holds, and waits for it to end. */
async function interrupted(
  script: string,
  args: string[],
  ready: (output: string) => boolean,
  env: Record<string, string> = { REDIS_URL: "" },
) {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const ended = new Promise<number | null>((resolve) => child.on("close", resolve));
  for (let waited = 0; !ready(output) && waited < 60_000; waited += 20) await sleep(20);
  expect(ready(output), output).toBe(true);
  child.kill("SIGINT");
  return { code: await ended, output };
}

/** `test` on a state folder of its own, removed after it with any Redis it left running. */
async function inStateFolder(test: (folder: string) => Promise<void>): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), "orders-interrupted-"));
  try {
    await test(folder);
  } finally {
    const left = leftRedis(folder);
    if (left) process.kill(left, "SIGTERM");
    rmSync(folder, { recursive: true, force: true });
  }
}

describe("Ctrl-C or a closed pipe, whenever it comes", () => {
  it(
    "stops npm start's own Redis while local mode is still starting",
    () =>
      inStateFolder(async (folder) => {
        // Its Redis is up (its pid file written) while the rest of local mode still starts.
        const run = await interrupted("local/main.ts", ["--state-dir", folder, "--port", "0"], () =>
          existsSync(join(folder, "redis", "redis.pid")),
        );
        expect(run.output).toContain("stopping...");
        expect(run.output).not.toContain("could not start");
        expect(run.code).toBe(0);
        expect(leftRedis(folder)).toBeUndefined();
      }),
    90_000,
  );

  it(
    "stops npm run invoke's Redis while its function waits for a debugger",
    () =>
      inStateFolder(async (folder) => {
        const inspectPort = String(await freePort());
        const run = await interrupted(
          "scripts/invoke.ts",
          ["Stats", "--inspect", "--inspect-port", inspectPort, "--state-dir", folder],
          (output) => output.includes("waiting for a debugger"),
        );
        expect(run.code).not.toBeNull(); // it ended, rather than being killed
        expect(run.output).not.toContain(`"errorType"`); // no result of an invocation it stopped
        expect(leftRedis(folder)).toBeUndefined();
      }),
    90_000,
  );
  it(
    "stops npm run invoke's Redis when the reader of its result goes away (npm run invoke ... | head)",
    () =>
      inStateFolder(async (folder) => {
        const child = spawn(
          process.execPath,
          ["scripts/invoke.ts", "Stats", "--event", "-", "--state-dir", folder],
          { cwd: PROJECT_ROOT, env: { ...process.env, NO_COLOR: "1", REDIS_URL: "" } },
        );
        child.stdout.destroy(); // the reader is gone before the result comes
        let stderr = "";
        child.stderr.on("data", (chunk) => {
          stderr += chunk;
        });
        child.stdin.end(JSON.stringify(apiEvent("GET /stats/global")));
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        expect(stderr).toContain("REPORT RequestId"); // the invocation ran
        expect(stderr).not.toContain("EPIPE");
        expect(code).toBe(0);
        expect(leftRedis(folder)).toBeUndefined();
      }),
    90_000,
  );
});

describe("what npm start's banner says", () => {
  const banner = (output: string) => output.includes("Ctrl-C stops everything.");

  it(
    "names the folder, what it keeps, and the command that empties that folder, whichever Redis holds the figures",
    () =>
      inStateFolder(async (folder) => {
        const args = ["--state-dir", folder, "--port", "0"];
        const reset = `npm run reset -- --state-dir ${folder}/ empties it`;
        const own = await interrupted("local/main.ts", args, banner);
        expect(own.output).toContain(
          `${folder}/ keeps the figures, the archive, the queued messages and the secrets across restarts (${reset})`,
        );
        const given = await interrupted("local/main.ts", args, banner, {
          REDIS_URL: redisUrl(),
          REDIS_MODE: redisMode(),
        });
        expect(given.output).toContain(
          `${folder}/ keeps the archive, the queued messages and the secrets across restarts; the figures are in REDIS_URL's Redis (${reset})`,
        );
      }),
    120_000,
  );

  it(
    "shows the write key in the command to try when writes need one (-c writeAuth=apiKey)",
    () =>
      inStateFolder(async (folder) => {
        const keyed = await interrupted(
          "local/main.ts",
          ["--state-dir", folder, "--port", "0", "-c", "writeAuth=apiKey"],
          banner,
        );
        const key = /ApiKey {2}x-api-key: (\S+)/.exec(keyed.output)?.[1];
        expect(key, keyed.output).toBeDefined();
        expect(keyed.output).toMatch(new RegExp(`Try .*/produce .*-H 'x-api-key: ${key}'`));
      }),
    120_000,
  );
});

describe("what a command needs that is not there", () => {
  it("a debugger's port that is taken: npm start and npm run invoke say so and start nothing", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = String((taken.address() as { port: number }).port);
    try {
      const started = await start(["--ephemeral", "--inspect", "Stats", "--inspect-port", port]);
      const invoked = await run("scripts/invoke.ts", [
        "Stats",
        "--ephemeral",
        "--inspect",
        "--inspect-port",
        port,
      ]);
      for (const ended of [started, invoked]) {
        expect(ended.code).toBe(2);
        expect(ended.stderr).toContain(
          `port ${port} is taken (another debugger?): choose another with --inspect-port N`,
        );
        expect(ended.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      taken.close();
    }
  }, 60_000);

  it("npm run load: an API that does not answer, or no URL at all, is one line, not a stack trace", async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const refused = await runScript("bench/load.ts", ["--url", nobody, "--count", "5"], { tsx: true });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `npm run load: ${nobody} did not answer: ECONNREFUSED (is the API running?`,
    );
    const notUrl = await runScript("bench/load.ts", ["--url", "localhost:3000"], { tsx: true });
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toContain(
      "--url must be an http(s) URL such as http://127.0.0.1:3000, not localhost:3000",
    );
    for (const ended of [refused, notUrl]) expect(ended.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("npm run event: more malformed records than records is refused, not quietly capped", async () => {
    const event = await runScript("scripts/event.ts", ["sqs", "--count", "5", "--malformed", "9"], {
      tsx: true,
    });
    expect(event.code).toBe(2);
    expect(event.stderr).toContain("--malformed 9 is more than --count 5");
  });
});

describe("every npm script that runs one of the project's files", () => {
  const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
    "scripts-info": Record<string, string>;
  };
  // `node file.ts [args]` or `tsx file.ts [args]`, after any environment settings and node flags.
  const scripts = Object.entries(manifest.scripts).flatMap(([name, command]) => {
    const found = /(?:^|\s)(node|tsx)\s+(?:--\S+\s+)*(\S+\.ts)((?:\s+--?\S+)*)\s*$/.exec(command);
    if (!found) return [];
    const [, runner, file, args] = found as unknown as [string, string, string, string];
    return [{ name, tsx: runner === "tsx", file, args: args.split(/\s+/).filter(Boolean) }];
  });

  it("finds them (the pattern above still matches package.json)", () => {
    expect(scripts.map(({ name }) => name)).toEqual(
      expect.arrayContaining([
        "start",
        "reset",
        "event",
        "smoke",
        "deploy:local",
        "destroy:local",
        "bench",
        "bench:original",
        "load",
        "docs",
        "help",
      ]),
    );
  });

  it("answers --help with its usage and what it does, and runs nothing", async () => {
    const runs = await inTurns(scripts, 3, ({ tsx, file, args }) =>
      runScript(file, [...args, "--help"], { tsx, env: { ...process.env, NO_COLOR: "1" } }),
    );
    scripts.forEach(({ name }, i) => {
      const { code, stdout, stderr } = runs[i] as Run;
      expect({ name, code, stderr }).toEqual({ name, code: 0, stderr: "" });
      expect(stdout, name).toMatch(
        new RegExp(`^usage: ${name === "start" ? "npm start" : `npm run ${name}`}`),
      );
      expect(stdout, name).toContain(manifest["scripts-info"][name]);
      expect(stdout, name).toContain("-h, --help");
    });
  }, 120_000);
});

/** `run` over `items`, at most `concurrency` at a time; the results in the items' order. */
async function inTurns<T, R>(
  items: readonly T[],
  concurrency: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}
