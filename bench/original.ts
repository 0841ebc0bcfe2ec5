/**
 * `npm run bench:original`: this project's local mode beside the original Python service, in one
 * run on this machine, each on a Redis of its own:
 *   1. the original's consumer code on N orders from its own generator (SQS stubbed: its calls
 *      cost nothing), against local mode end to end on N orders (POST /produce, the queue, the
 *      consumer and the order archive, until every order is counted);
 *   2. the four read routes of each, filled by step 1, under the same load (wrk when installed,
 *      else autocannon: 32 connections, 5 s), beside the environment-hop ceiling (a bare server
 *      handing each request to as many worker threads as local mode gives a function, one request
 *      at a time each, one Redis GET: the most a faithful local mode can serve here) and the
 *      route's function alone in as many bare environments (its own work, with nothing of local
 *      mode around it), rotating which goes first, medians of the rounds; with local mode's and
 *      the ceiling's CPU a request by layer and their Redis commands (read-breakdown.ts).
 * Writes the ratios and the breakdown to bench/results/original.{json,md}.
 *
 * The original runs from a snapshot of its public repository (never committed) through the
 * scripts of the seed-bench directory; their README says how to set them up
 * (`npm run bench:original -- --help` lists the options).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { parseCommandLine, usageError } from "../local/command-line";
import { API_FUNCTION_CONCURRENCY } from "../local/local-mode";
import { freePort, startRedisServer } from "../local/redis-server";
import { PROJECT_ROOT } from "../local/synth";
import { HOP_KEY, HOP_VALUE, startHopServer } from "./environment-hop-server";
import { type HttpLoadResult, httpLoad, httpLoadTool } from "./http-load";
import { END_TO_END_LOAD, runLoad } from "./load";
import { startLocalModeProcess } from "./local-mode-process";
import {
  type BreakdownInput,
  measureRead,
  medianBreakdown,
  type ReadSample,
  renderBreakdownTable,
} from "./read-breakdown";
import { median } from "./statistics";
import { type OriginalResults, originalCaption, originalTable } from "./tables";

const run = promisify(execFile);
const USAGE = "npm run bench:original -- --seed-server <dir>/sqs-server [options]";
const { values: args } = parseCommandLine(
  USAGE,
  {
    "seed-server": {
      type: "string",
      value: "DIR",
      help: "the original's sqs-server directory, from a snapshot of its repository (default SEED_SERVER_DIR)",
    },
    "seed-bench": {
      type: "string",
      value: "DIR",
      default: "../shared/seed-bench",
      help: "seed_api.py and seed_consumer.py (the seed-bench README says how to set them up)",
    },
    orders: {
      type: "string",
      value: "N",
      default: "20000",
      range: [100, 10_000_000],
      help: "orders each side counts",
    },
    rounds: {
      type: "string",
      value: "N",
      default: "3",
      range: [1, 50],
      help: "rounds of reads, rotating the order",
    },
    seconds: {
      type: "string",
      value: "S",
      default: "5",
      range: [1, 600],
      help: "load on each route a round",
    },
  },
  process.argv.slice(2),
  {
    about:
      "It needs wrk (or autocannon) and Debian's python3-fastapi, python3-uvicorn, python3-redis and python3-dotenv.",
  },
);
const seedServerDir = args["seed-server"] ?? process.env.SEED_SERVER_DIR;
const seedServer = seedServerDir ? resolve(seedServerDir) : undefined;
const seedBench = resolve(PROJECT_ROOT, args["seed-bench"]);
if (!seedServer || !existsSync(join(seedServer, "api.py")))
  usageError(USAGE, `--seed-server: no api.py in ${seedServer ?? "(none given)"}`);
if (!existsSync(join(seedBench, "seed_api.py")))
  usageError(USAGE, `--seed-bench: no seed_api.py in ${seedBench}`);
const orders = Number(args.orders);
const rounds = Number(args.rounds);
const seconds = Number(args.seconds);
/** How long each read route of local mode runs before the rounds. */
const LOCAL_WARM_UP_SECONDS = 3;
const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const log = (line: string) => console.log(line);

const seedRedis = await startRedisServer();
const ourRedis = await startRedisServer();
const children: ChildProcess[] = [];
const stops: (() => Promise<void>)[] = [seedRedis.stop, ourRedis.stop];
try {
  log(
    `original beside local mode: ${orders} orders, ${rounds} rounds, ${cpus().length} x ${cpus()[0]?.model}`,
  );

  // 1. Consuming N orders.
  const { stdout } = await run(python, [
    join(seedBench, "seed_consumer.py"),
    seedServer,
    portOf(seedRedis.url),
    String(orders),
  ]);
  const seedConsumer = Number(/seed_orders_per_s (\d+)/.exec(stdout)?.[1]);
  log(`  original consumer (SQS stubbed): ${seedConsumer} orders/s`);
  const mode = await startLocalModeProcess({
    args: ["-c", "logLevel=WARN"],
    env: { REDIS_URL: ourRedis.url },
  });
  stops.push(mode.stop);
  const endToEnd = await runLoad({ url: mode.url, count: orders, ...END_TO_END_LOAD });
  log(
    `  local mode end to end: ${endToEnd.consumedPerSecond} orders/s, ${endToEnd.unaccounted} unaccounted (${(endToEnd.consumedPerSecond / seedConsumer).toFixed(2)}x)`,
  );

  // 2. Reads, on the figures each side just counted, beside the ceiling on local mode's Redis.
  const seedPort = await freePort();
  const seedApi = spawn(
    python,
    [join(seedBench, "seed_api.py"), seedServer, portOf(seedRedis.url), String(seedPort)],
    {
      stdio: "ignore",
    },
  );
  children.push(seedApi);
  const seedUrl = `http://127.0.0.1:${seedPort}`;
  await answering(`${seedUrl}/stats/global`);
  const probe = new Redis(ourRedis.url);
  stops.push(async () => probe.disconnect());
  await probe.set(HOP_KEY, HOP_VALUE);
  const hop = await startHopServer(`environments:${API_FUNCTION_CONCURRENCY}`, ourRedis.url);
  children.push(hop.child);
  // The stats function alone, as local mode synthesized it, in as many bare environments.
  const alone = await startHopServer(`function:${API_FUNCTION_CONCURRENCY}`, ourRedis.url, "StatsFunction");
  children.push(alone.child);
  const aloneUrl = alone.url.replace(/\/$/, "");
  const localPid = (await mode.nodePid()) ?? 0;
  const measure = {
    original: (route: string) => httpLoad(`${seedUrl}${route}`, seconds),
    local: (route: string) => measureRead(`${mode.url}${route}`, seconds, localPid, probe),
    functionAlone: (route: string) =>
      measureRead(`${aloneUrl}${route}`, seconds, alone.child.pid ?? 0, probe),
    ceiling: () => measureRead(hop.url, seconds, hop.child.pid ?? 0, probe),
  };
  const month = new Date().toISOString().slice(0, 7);
  const routes = ["/stats/global", "/users?limit=10", "/users/U1001/stats", `/stats/monthly/${month}`];
  // Each first, so no round measures a cold start or code not yet optimized: local mode's for
  // longer, as each of its environments compiles the handler in its own isolate (a second was
  // not enough: the route measured first ran at about half its rate, V8's helper threads busy).
  for (const route of routes) {
    await httpLoad(`${mode.url}${route}`, LOCAL_WARM_UP_SECONDS);
    await httpLoad(`${aloneUrl}${route}`, LOCAL_WARM_UP_SECONDS);
    await httpLoad(`${seedUrl}${route}`, 1);
  }
  await httpLoad(hop.url, 1);
  const reads = [];
  for (const route of routes) reads.push(await readRoute(route, measure));
  await probe.del(HOP_KEY);

  const result = {
    date: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    orders,
    rounds,
    loadTool: await httpLoadTool(),
    consumer: {
      originalOrdersPerSecond: seedConsumer,
      localEndToEndOrdersPerSecond: endToEnd.consumedPerSecond,
      unaccounted: endToEnd.unaccounted,
      ratio: round2(endToEnd.consumedPerSecond / seedConsumer),
    },
    ceilingEnvironments: API_FUNCTION_CONCURRENCY,
    reads,
  };
  const resultsDir = join(PROJECT_ROOT, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, "original.json"), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(resultsDir, "original.md"), markdown(result));
  log("written to bench/results/original.{json,md}");
} finally {
  for (const child of children) child.kill();
  await Promise.allSettled(stops.map((stop) => stop()));
}

/**
 * One route: the original, local mode and the ceiling, in rounds that rotate which goes first;
 * medians, ratios measured in the same rounds, and local mode's and the ceiling's breakdowns.
 */
async function readRoute(
  route: string,
  measure: {
    original: (route: string) => Promise<HttpLoadResult>;
    local: (route: string) => Promise<ReadSample>;
    functionAlone: (route: string) => Promise<ReadSample>;
    ceiling: () => Promise<ReadSample>;
  },
) {
  const sides = {
    original: [] as HttpLoadResult[],
    local: [] as ReadSample[],
    functionAlone: [] as ReadSample[],
    ceiling: [] as ReadSample[],
  };
  const order = ["original", "local", "functionAlone", "ceiling"] as const;
  for (let round = 0; round < rounds; round++) {
    const first = round % order.length;
    for (const side of [...order.slice(first), ...order.slice(0, first)]) {
      if (side === "original") sides.original.push(await measure.original(route));
      else if (side === "ceiling") sides.ceiling.push(await measure.ceiling());
      else sides[side].push(await measure[side](route));
    }
  }
  const rps = (results: readonly HttpLoadResult[]) => median(results.map((r) => r.requestsPerSecond));
  const row = {
    route,
    original: summary(sides.original),
    local: { ...summary(sides.local), ...medianBreakdown(sides.local) },
    functionAlone: { ...summary(sides.functionAlone), ...medianBreakdown(sides.functionAlone) },
    ceiling: { ...summary(sides.ceiling), ...medianBreakdown(sides.ceiling) },
    ratio: round2(rps(sides.local) / rps(sides.original)),
    ratioToCeiling: round2(rps(sides.local) / rps(sides.ceiling)),
    ratioToFunctionAlone: round2(rps(sides.local) / rps(sides.functionAlone)),
    functionAloneToCeiling: round2(rps(sides.functionAlone) / rps(sides.ceiling)),
  };
  log(
    `  GET ${route}: original ${row.original.rps} req/s (p99 ${row.original.p99Ms} ms), local mode ${row.local.rps} req/s (p99 ${row.local.p99Ms} ms), the function alone ${row.functionAlone.rps} req/s, ceiling ${row.ceiling.rps} req/s: ${row.ratio}x the original, ${row.ratioToCeiling}x the ceiling (the function alone ${row.functionAloneToCeiling}x, local mode ${row.ratioToFunctionAlone}x of it)`,
  );
  return row;
}

/** Medians of a side's rounds, and each round's req/s. */
function summary(results: readonly HttpLoadResult[]) {
  return {
    rps: Math.round(median(results.map((r) => r.requestsPerSecond))),
    p99Ms: round2(median(results.map((r) => r.p99Ms))),
    runs: results.map((r) => Math.round(r.requestsPerSecond)),
  };
}

async function answering(url: string): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    if (
      await fetch(url).then(
        (response) => response.ok,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
  throw new Error(`${url} did not answer`);
}

function portOf(url: string): string {
  return new URL(url).port;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function markdown(result: OriginalResults & BreakdownInput): string {
  return [
    originalCaption(result),
    "",
    originalTable(result),
    "",
    "Where a read's time goes (CPU µs a request by layer, medians of the rounds):",
    "",
    renderBreakdownTable(result),
    "",
  ].join("\n");
}
