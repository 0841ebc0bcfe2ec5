import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createRedisStore } from "../../lambdas/adapters/redis-store";
import { classifyMessage } from "../../lambdas/core/outcome";
import { freePort } from "../../local/redis-server";
import { PROJECT_ROOT } from "../../local/synth";
import { apiEvent, sqsEvent } from "../../scripts/events";
import { type Run, runScript } from "../support/processes";
import { connectRedis, deleteStoreKeys, redisMode, redisUrl, uniquePrefix } from "../support/redis";

/**
 * `npm run invoke` and `npm run event` as a developer runs them: one function of the synthesized
 * stack, once, with an event, its logs and REPORT on stderr and its result on stdout; and a
 * debugger attached through the inspector protocol, its source map pointing at lambdas/*.ts.
 */

const prefix = uniquePrefix("invoke");
const OUTDIR = join(PROJECT_ROOT, "cdk.out.test", "invoke");
const redis = connectRedis();
const stateDir = mkdtempSync(join(tmpdir(), "orders-invoke-state-"));

afterAll(async () => {
  await deleteStoreKeys(prefix);
  redis.disconnect();
  rmSync(stateDir, { recursive: true, force: true });
});

function invoke(args: string[], stdin?: string, onStart?: (child: ChildProcess) => void): Promise<Run> {
  return runScript("scripts/invoke.ts", [...args, "-c", `keyPrefix=${prefix}`, "--outdir", OUTDIR], {
    // A state folder of the test's own: never the developer's .local/, nor their npm start's.
    env: {
      ...process.env,
      REDIS_URL: redisUrl(),
      REDIS_MODE: redisMode(),
      NO_COLOR: "1",
      LOCAL_STATE_DIR: stateDir,
    },
    ...(stdin === undefined ? {} : { stdin }),
    ...(onStart ? { onStart } : {}),
  });
}

describe("npm run invoke", () => {
  it("runs the consumer on a generated batch: valid orders counted, malformed ones dead-lettered, none retried", async () => {
    const event = sqsEvent({ count: 12, malformed: 3 });
    const bodies = event.Records.map((record) => record.body);
    const valid = bodies.filter((body) => classifyMessage(body).kind === "valid").length;
    const failed = bodies.filter((body) => classifyMessage(body).kind === "failed").length;

    const run = await invoke(["Consumer", "--event", "-"], JSON.stringify(event));

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ batchItemFailures: [] });
    expect(run.stderr).toMatch(/Consumer\s+REPORT RequestId: \S+\tDuration: [\d.]+ ms/);
    expect(run.stderr).toContain("Init Duration");
    const store = createRedisStore(redis, { prefix });
    const global = await store.globalStats();
    expect(global).toMatchObject({ totalOrders: valid, failedOrders: failed + 3 });
    expect(global.failedByReason.malformed).toBe(3);
  }, 120_000);

  it("runs the stats function on a generated API event and prints the route's JSON", async () => {
    const run = await invoke(["Stats", "--event", "-"], JSON.stringify(apiEvent("GET /stats/global")));
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({
      total_orders: expect.any(Number),
      failed_by_reason: expect.any(Object),
    });
  }, 120_000);

  it("lists the functions when the name is none of them", async () => {
    const run = await invoke(["NoSuchFunction"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no function "NoSuchFunction"');
    for (const name of ["Consumer", "Stats", "Admin", "Docs", "Producer", "Rebuild"])
      expect(run.stderr).toContain(name);
  }, 120_000);

  it("exits 1 with Lambda's error shape when the function fails", async () => {
    const run = await invoke(["Consumer", "--event", "-"], JSON.stringify({ not: "an SQS event" }));
    expect(run.code).toBe(1);
    const error = JSON.parse(run.stdout);
    expect(error).toEqual({
      errorType: "TypeError",
      errorMessage: expect.any(String),
      trace: expect.any(Array),
    });
    expect(run.stderr).toMatch(/REPORT RequestId: .*Status: error|REPORT RequestId/);
    expect(run.stderr).not.toContain("no --event was given"); // it was
  }, 120_000);

  it("says, when a function fails on the {} it ran with, that no --event was given and what makes one", async () => {
    const run = await invoke(["Consumer"]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ errorType: "TypeError" });
    expect(run.stderr).toContain(
      "npm run invoke: no --event was given, so Consumer ran with {}; npm run event -- --help makes one",
    );
  }, 120_000);

  it("opens the inspector when asked, waits for the debugger, and its source map resolves to lambdas/*.ts with their text", async () => {
    const port = await freePort();
    const scripts: { url: string; sourceMapURL: string }[] = [];
    let finished!: Promise<Run>;
    const attached = new Promise<void>((attachDone, attachFail) => {
      finished = invoke(
        ["Stats", "--event", "-", "--inspect", "--inspect-port", String(port)],
        JSON.stringify(apiEvent("getHealth")),
        () => {
          const started = Date.now();
          const attach = async (): Promise<void> => {
            const targets = await fetch(`http://127.0.0.1:${port}/json/list`).then(
              (answer) => answer.json() as Promise<{ webSocketDebuggerUrl: string }[]>,
              () => undefined,
            );
            const target = targets?.[0];
            if (!target) {
              if (Date.now() - started > 90_000) throw new Error("the inspector never opened");
              await new Promise((wait) => setTimeout(wait, 250));
              return attach();
            }
            const socket = new WebSocket(target.webSocketDebuggerUrl);
            let id = 0;
            const send = (method: string) => socket.send(JSON.stringify({ id: ++id, method }));
            socket.addEventListener("message", (message) => {
              const data = JSON.parse(String(message.data));
              if (data.method === "Debugger.scriptParsed" && data.params.sourceMapURL)
                scripts.push(data.params);
            });
            await new Promise((open) => socket.addEventListener("open", open));
            send("Debugger.enable");
            send("Runtime.runIfWaitingForDebugger");
            attachDone();
          };
          attach().catch(attachFail);
        },
      );
    });
    await attached;
    const run = await finished;

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`debugger listening on ws://127.0.0.1:${port}/`);
    expect(run.stderr).toContain("no timeout while debugging");
    expect(JSON.parse(JSON.parse(run.stdout).body)).toMatchObject({ status: expect.any(String) });
    const bundle = scripts.find((script) => script.url.endsWith("index.mjs"));
    expect(bundle).toBeDefined();
    const mapFile = resolve(fileURLToPath(new URL(".", bundle?.url ?? "")), bundle?.sourceMapURL ?? "");
    const map = JSON.parse(readFileSync(mapFile, "utf8")) as {
      sources: string[];
      sourcesContent: (string | null)[];
    };
    const entry = map.sources.indexOf(join(PROJECT_ROOT, "lambdas", "http", "stats.ts"));
    expect(entry).toBeGreaterThanOrEqual(0);
    expect(map.sourcesContent[entry]).toBe(
      readFileSync(join(PROJECT_ROOT, "lambdas", "http", "stats.ts"), "utf8"),
    );
    const ours = map.sources.filter((source) => source.startsWith(join(PROJECT_ROOT, "lambdas")));
    expect(ours.length).toBeGreaterThan(10);
    for (const source of ours) expect(existsSync(source)).toBe(true);
  }, 150_000);
});
