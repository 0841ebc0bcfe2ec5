/**
 * `npm run bench:environment-hop`: what one invocation at a time per execution environment costs
 * a read, on this machine, with nothing of local mode around it. Three bare servers answer
 * `GET /` with one Redis GET, under the same load (32 connections):
 *   - one thread: the HTTP server reads Redis itself, every request overlapping (what local mode
 *     did before it ran functions like Lambda);
 *   - environments: the HTTP server hands each request to one of N worker threads, each with its
 *     own Redis connection and one request at a time, as local mode's environments run
 *     invocations (N = 1, 2, 4, 8);
 * in alternating rounds, medians. The environments' figure is a ceiling for local mode's reads:
 * its API Gateway, handlers and REPORT lines only add to it.
 *
 *   npm run bench:environment-hop [-- --rounds 3 --seconds 5]
 */
import { type ChildProcess, fork } from "node:child_process";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { Redis } from "ioredis";
import { ensureRedis } from "../local/redis-server";
import { httpLoad, httpLoadTool } from "./http-load";
import { median } from "./statistics";

const KEY = "bench:environment-hop";

if (!isMainThread) {
  // An environment: one request at a time, as local mode's lambda-worker.mjs runs invocations.
  const redis = new Redis(workerData.redisUrl as string);
  parentPort?.on("message", async (path: string) => {
    parentPort?.postMessage(JSON.stringify({ path, value: await redis.get(KEY) }));
  });
} else if (process.env.ENVIRONMENT_HOP_SERVER) {
  serve(process.env.ENVIRONMENT_HOP_SERVER, process.env.REDIS_URL ?? "");
} else {
  await measure();
}

/** The server process: `one-thread`, or `environments:N`. Reports its port to the parent. */
function serve(variant: string, redisUrl: string): void {
  const reply = (response: ServerResponse, body: string) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(body);
  };
  let handle: (path: string, response: ServerResponse) => void;
  if (variant === "one-thread") {
    const redis = new Redis(redisUrl);
    handle = async (path, response) => reply(response, JSON.stringify({ path, value: await redis.get(KEY) }));
  } else {
    const count = Number(variant.split(":")[1]);
    interface Environment {
      worker: Worker;
      /** The request it is answering. */
      response?: ServerResponse;
    }
    const free: Environment[] = [];
    const waiting: { path: string; response: ServerResponse }[] = [];
    const dispatch = (environment: Environment, path: string, response: ServerResponse) => {
      environment.response = response;
      environment.worker.postMessage(path);
    };
    for (let index = 0; index < count; index++) {
      const environment: Environment = {
        worker: new Worker(new URL(import.meta.url), { workerData: { redisUrl } }),
      };
      environment.worker.on("message", (body: string) => {
        if (environment.response) reply(environment.response, body);
        const next = waiting.shift();
        if (next) dispatch(environment, next.path, next.response);
        else free.push(environment);
      });
      free.push(environment);
    }
    handle = (path, response) => {
      const environment = free.pop();
      if (environment) dispatch(environment, path, response);
      else waiting.push({ path, response });
    };
  }
  const server = createServer((request, response) => handle(request.url ?? "/", response));
  server.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on("disconnect", () => process.exit(0));
}

async function measure(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "5" } },
  });
  const redis = await ensureRedis(process.env.REDIS_URL);
  const client = new Redis(redis.url);
  await client.set(KEY, JSON.stringify({ total_orders: 17_589, total_revenue: 14_319_580_803.09 }));
  const variants = ["one-thread", "environments:1", "environments:2", "environments:4", "environments:8"];
  const rates = new Map(variants.map((variant) => [variant, [] as number[]]));
  console.log(
    `environment hop: ${values.rounds} rounds of ${values.seconds} s, ${await httpLoadTool()}, 32 connections, ${cpus().length} x ${cpus()[0]?.model}`,
  );
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
      const { child, url } = await startServer(variant, redis.url);
      try {
        await httpLoad(url, 1); // warm-up
        rates.get(variant)?.push((await httpLoad(url, Number(values.seconds))).requestsPerSecond);
      } finally {
        child.kill();
      }
    }
  }
  const oneThread = median(rates.get("one-thread") ?? []);
  for (const [variant, runs] of rates) {
    const rate = median(runs);
    console.log(
      `  ${variant.padEnd(16)} ${Math.round(rate)} req/s (${(rate / oneThread).toFixed(2)}x one thread; runs ${runs.map(Math.round).join(", ")})`,
    );
  }
  await client.del(KEY);
  client.disconnect();
  await redis.stop();
}

async function startServer(variant: string, redisUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(new URL(import.meta.url).pathname, [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, ENVIRONMENT_HOP_SERVER: variant, REDIS_URL: redisUrl },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`the ${variant} server exited (${code})`)));
  });
  return { child, url: `http://127.0.0.1:${port}/` };
}
