/**
 * The bare servers of `npm run bench:environment-hop` (and the ceiling column of
 * `bench:original`): `GET /` answered with one Redis GET, either by the HTTP server itself
 * (`one-thread`, every request overlapping) or by one of N worker threads that each take one
 * request at a time (`environments:N`), as local mode's environments run invocations. Each runs in
 * a child process of its own, as local mode does.
 */
import { type ChildProcess, fork } from "node:child_process";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { Redis } from "ioredis";

/** The key every bare server reads; its value is a small stats answer. */
export const HOP_KEY = "bench:environment-hop";
export const HOP_VALUE = JSON.stringify({ total_orders: 17_589, total_revenue: 14_319_580_803.09 });

if (!isMainThread) {
  // An environment: one request at a time, as local mode's lambda-worker.mjs runs invocations.
  const redis = new Redis(workerData.redisUrl as string);
  parentPort?.on("message", async (path: string) => {
    parentPort?.postMessage(JSON.stringify({ path, value: await redis.get(HOP_KEY) }));
  });
  redis.once("ready", () => parentPort?.postMessage("ready"));
} else if (process.env.ENVIRONMENT_HOP_SERVER) {
  serve(process.env.ENVIRONMENT_HOP_SERVER, process.env.REDIS_URL ?? "");
}

/** The server process: `one-thread`, or `environments:N`. Reports its port to the parent once every environment is ready. */
function serve(variant: string, redisUrl: string): void {
  const reply = (response: ServerResponse, body: string) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(body);
  };
  let handle: (path: string, response: ServerResponse) => void;
  const ready: Promise<unknown>[] = []; // each environment's first message: its Redis is connected
  if (variant === "one-thread") {
    const redis = new Redis(redisUrl);
    handle = async (path, response) =>
      reply(response, JSON.stringify({ path, value: await redis.get(HOP_KEY) }));
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
        worker: new Worker(new URL(import.meta.url), { workerData: { redisUrl }, name: "environment" }),
      };
      ready.push(new Promise((resolve) => environment.worker.once("message", resolve)));
      environment.worker.on("message", (body: string) => {
        if (body === "ready") return;
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
  const listening = new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  void Promise.all([listening, ...ready]).then(() =>
    process.send?.({ port: (server.address() as AddressInfo).port }),
  );
  process.on("disconnect", () => process.exit(0));
}

/** Starts a bare server in a child process; its `url` answers `GET /`. */
export async function startHopServer(
  variant: string,
  redisUrl: string,
): Promise<{ child: ChildProcess; url: string }> {
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
