/**
 * The bare servers of `npm run bench:environment-hop` (and the ceilings of `bench:original`):
 * `GET /` answered with one Redis GET, either by the HTTP server itself (`one-thread`, every
 * request overlapping) or by one of N worker threads that each take one request at a time
 * (`environments:N`), as local mode's environments run invocations; or, `function:N`, each worker
 * running a function of the stack itself on the proxy event of the path asked for, made once per
 * path: the function's own work with nothing of local mode around it (no API Gateway mapping, no
 * REPORT, no timeouts). Each runs in a child process of its own, as local mode does.
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { Redis } from "ioredis";

/** The key every bare server reads; its value is a small stats answer. */
export const HOP_KEY = "bench:environment-hop";
export const HOP_VALUE = JSON.stringify({ total_orders: 17_589, total_revenue: 14_319_580_803.09 });

if (!isMainThread && workerData.entryFile) {
  // A function's environment, reduced to the function: its handler on each event it is sent.
  const handler = createRequire(import.meta.url)(workerData.entryFile)[workerData.handlerExport];
  const context = {
    functionName: workerData.functionName,
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => 30_000,
  };
  parentPort?.on("message", async (eventText: string) => {
    const result = await handler(JSON.parse(eventText), context);
    // Its body; anything but a 200 shows as a failed request (the benchmark's routes all answer 200).
    parentPort?.postMessage(result.statusCode === 200 ? result.body : FAILED);
  });
  parentPort?.postMessage("ready");
} else if (!isMainThread) {
  // An environment: one request at a time, as local mode's lambda-worker.mjs runs invocations.
  const redis = new Redis(workerData.redisUrl as string);
  parentPort?.on("message", async (path: string) => {
    parentPort?.postMessage(JSON.stringify({ path, value: await redis.get(HOP_KEY) }));
  });
  redis.once("ready", () => parentPort?.postMessage("ready"));
} else if (process.env.ENVIRONMENT_HOP_SERVER) {
  await serve(process.env.ENVIRONMENT_HOP_SERVER, process.env.REDIS_URL ?? "");
}

const FAILED = "failed";

/**
 * The server process: `one-thread`, `environments:N` or `function:N` (the function named by
 * HOP_FUNCTION). Reports its port to the parent once every environment is ready.
 */
async function serve(variant: string, redisUrl: string): Promise<void> {
  const reply = (response: ServerResponse, body: string) => {
    response.writeHead(body === FAILED ? 500 : 200, { "content-type": "application/json" });
    response.end(body);
  };
  let handle: (request: IncomingMessage, response: ServerResponse) => void;
  const ready: Promise<unknown>[] = []; // each environment's first message: its Redis is connected
  if (variant === "one-thread") {
    const redis = new Redis(redisUrl);
    handle = async (request, response) =>
      reply(response, JSON.stringify({ path: request.url, value: await redis.get(HOP_KEY) }));
  } else {
    const [kind, count] = variant.split(":");
    const fn =
      kind === "function" ? await functionAlone(process.env.HOP_FUNCTION ?? "", redisUrl) : undefined;
    // What each request posts: its path, or the function's event for it (made once per path).
    const message = fn ? fn.eventText : (request: IncomingMessage) => request.url ?? "/";
    interface Environment {
      worker: Worker;
      /** The request it is answering. */
      response?: ServerResponse;
    }
    const free: Environment[] = [];
    const waiting: { posted: string; response: ServerResponse }[] = [];
    const dispatch = (environment: Environment, posted: string, response: ServerResponse) => {
      environment.response = response;
      environment.worker.postMessage(posted);
    };
    for (let index = 0; index < Number(count); index++) {
      const environment: Environment = {
        worker: new Worker(new URL(import.meta.url), {
          workerData: fn?.workerData ?? { redisUrl },
          env: fn?.environment ?? process.env,
          name: "environment",
        }),
      };
      ready.push(new Promise((resolve) => environment.worker.once("message", resolve)));
      environment.worker.on("message", (body: string) => {
        if (body === "ready") return;
        if (environment.response) reply(environment.response, body);
        const next = waiting.shift();
        if (next) dispatch(environment, next.posted, next.response);
        else free.push(environment);
      });
      free.push(environment);
    }
    handle = (request, response) => {
      const environment = free.pop();
      if (environment) dispatch(environment, message(request), response);
      else waiting.push({ posted: message(request), response });
    };
  }
  const server = createServer((request, response) => handle(request, response));
  const listening = new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  void Promise.all([listening, ...ready]).then(() =>
    process.send?.({ port: (server.address() as AddressInfo).port }),
  );
  process.on("disconnect", () => process.exit(0));
}

/**
 * A function of local mode's last synthesis, to run alone: its bundle, its environment (the
 * template's values, with `redisUrl` for Redis and a placeholder for anything only a deployment
 * resolves, such as a queue's URL: the read routes use neither), and the proxy event of each path.
 */
async function functionAlone(name: string, redisUrl: string) {
  // Loaded here, not at the top: the environments of every variant load this module too.
  const { compileRoutes, matchRequest, toProxyEvent } = await import("../local/api-gateway");
  const { LOCAL_REGION } = await import("../local/embedded-aws");
  const { LOCAL_OUTDIR, lastSynthesis } = await import("../local/synth");
  const { functionNamed, readTemplate } = await import("../local/template");
  const synthesis = lastSynthesis(LOCAL_OUTDIR);
  if (!synthesis) throw new Error(`no synthesis in ${LOCAL_OUTDIR}: start local mode first`);
  const model = readTemplate(JSON.parse(readFileSync(synthesis.templateFile, "utf8")), LOCAL_OUTDIR);
  const fn = functionNamed(model.functions, name);
  if (!fn) throw new Error(`no function ${name} in ${synthesis.templateFile}`);
  const routes = compileRoutes(model.routes.filter((route) => route.functionLogicalId === fn.logicalId));
  const events = new Map<string, string>();
  return {
    workerData: { entryFile: fn.entryFile, handlerExport: fn.handlerExport, functionName: fn.name },
    environment: {
      ...Object.fromEntries(
        Object.entries(fn.environment).map(([key, value]) => [
          key,
          typeof value === "string" ? value : `http://127.0.0.1:9/000000000000/unresolved-${key}`,
        ]),
      ),
      REDIS_URL: redisUrl,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      TZ: "UTC",
    },
    eventText(request: IncomingMessage): string {
      const path = request.url ?? "/";
      let text = events.get(path);
      if (text === undefined) {
        const url = new URL(path, "http://localhost");
        const matched = matchRequest(routes, request.method ?? "GET", url.pathname);
        if (!matched) throw new Error(`${fn.name} serves no ${request.method} ${url.pathname}`);
        const event = toProxyEvent(request, url, {
          ...matched,
          body: Buffer.alloc(0),
          requestId: randomUUID(),
          resourcePath: url.pathname,
          stage: undefined,
          traceHeader: "Root=1-00000000-000000000000000000000000;Sampled=0",
        });
        text = JSON.stringify(event);
        events.set(path, text);
      }
      return text;
    },
  };
}

/** Starts a bare server in a child process; its `url` answers `GET /` (`function:N`: the function's routes). */
export async function startHopServer(
  variant: string,
  redisUrl: string,
  functionName?: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(new URL(import.meta.url).pathname, [], {
    execArgv: ["--import", "tsx"],
    env: {
      ...process.env,
      ENVIRONMENT_HOP_SERVER: variant,
      REDIS_URL: redisUrl,
      ...(functionName ? { HOP_FUNCTION: functionName } : {}),
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`the ${variant} server exited (${code})`)));
  });
  return { child, url: `http://127.0.0.1:${port}/` };
}
