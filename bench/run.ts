/**
 * `npm run bench`: one command that measures, in one run on this machine:
 *   1. the consumer alone at several batch sizes, next to bare JSON.parse (bench/consumer.ts);
 *   2. end to end: orders through local mode's HTTP API, queue and consumer until all are counted,
 *      next to the embedded SQS server's own ceiling (send + receive + delete, no consumer work);
 *   3. the read API under load (autocannon, 32 connections) on 10,000 users over 12 months;
 *   4. local mode's memory: every process of `npm start` summed, idle after a few requests and
 *      at its peak during step 2 (targets: issue #16).
 * Steps 2 to 4 run against `npm start` in a child process, as a user runs local mode.
 * Writes bench/results/latest.json and bench/results/latest.md. `--quick` finishes in under a minute.
 */
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import { createRedisStore } from "../lambdas/adapters/redis-store";
import type { AnalyticsEntry } from "../lambdas/core/analytics-store";
import { createOrderGenerator, seededRandom } from "../lambdas/core/generator";
import { createRedisClient } from "../lambdas/shared/clients";
import { parseCommandLine } from "../local/command-line";
import { startEmbeddedAws } from "../local/embedded-aws";
import { ensureRedis } from "../local/redis-server";
import { PROJECT_ROOT } from "../local/synth";
import { consumedSoFar, END_TO_END_LOAD, progressPrinter, runLoad } from "./load";
import { deleteRunKeys, startLocalModeProcess } from "./local-mode-process";
import { measureSqsCeiling } from "./sqs-ceiling";
import {
  type BenchResults,
  benchCaption,
  consumerTable,
  endToEndTable,
  memoryTable,
  readsTable,
} from "./tables";

const run = promisify(execFile);
const { values } = parseCommandLine(
  "npm run bench -- [options]",
  { quick: { type: "boolean", help: "smaller runs: under a minute" } },
  process.argv.slice(2),
);
const quick = values.quick;
const plan = {
  consumerSizes: quick ? "100,1000" : "10,100,1000,10000",
  consumerOrders: quick ? 5_000 : 30_000,
  endToEndOrders: quick ? 5_000 : 100_000,
  ceilingMessages: quick ? 5_000 : 30_000,
  readUsers: 10_000,
  readMonths: 12,
  readSeconds: quick ? 3 : 10,
};
const resultsDir = join(PROJECT_ROOT, "bench", "results");
mkdirSync(resultsDir, { recursive: true });
const log = (line: string) => console.log(line);

/** Issue #16's targets for local mode's resident memory, every process summed. */
const FOOTPRINT_TARGETS_MIB = { idle: 350, peak: 800 };

// 1. The consumer alone, in its own process so nothing else shares its heap: without the order
// archive, then with it (what the deployed consumer does).
log(
  `1/3 consumer alone (batch sizes ${plan.consumerSizes}, ${plan.consumerOrders} orders each), archive off then on`,
);
type ConsumerRow = BenchResults["consumer"][number];
const consumer: ConsumerRow[] = [];
for (const archive of [false, true]) {
  const consumerJson = join(resultsDir, ".consumer.json");
  await run(
    process.execPath,
    [
      "--import",
      "tsx",
      "bench/consumer.ts",
      "--sizes",
      plan.consumerSizes,
      "--orders",
      String(plan.consumerOrders),
      "--json",
      consumerJson,
      ...(archive ? ["--archive"] : []),
    ],
    { cwd: PROJECT_ROOT, maxBuffer: 10 * 1024 * 1024 },
  );
  const rows = JSON.parse(readFileSync(consumerJson, "utf8")) as ConsumerRow[];
  rmSync(consumerJson);
  for (const row of rows)
    log(
      `    archive ${archive ? "on " : "off"} batch ${row.batchSize}: ${row.ordersPerSecond} orders/s (${row.ratioToCeiling}x JSON.parse)`,
    );
  consumer.push(...rows);
}

// 2. End to end through local mode, run as `npm start`; first its footprint after a few requests.
const prefix = `bench:${randomUUID().slice(0, 8)}:`;
const redis = await ensureRedis(process.env.REDIS_URL);
const adminToken = randomBytes(12).toString("base64url");
const mode = await startLocalModeProcess({
  args: ["-c", `keyPrefix=${prefix}`, "-c", "logLevel=WARN"],
  env: { REDIS_URL: redis.url, ADMIN_TOKEN: adminToken },
});
const idle = await idleFootprint(mode.url);
log(
  `    local mode idle after a few requests: ${idle.residentMiB} MiB over ${idle.processes.length} processes`,
);
log(`2/3 end to end: ${plan.endToEndOrders} orders via POST /produce on ${mode.url}`);
let peakMiB = 0;
const sampler = setInterval(async () => {
  peakMiB = Math.max(peakMiB, await mode.residentMiB());
}, 250);
const endToEnd = await runLoad({
  url: mode.url,
  count: plan.endToEndOrders,
  ...END_TO_END_LOAD,
  onProgress: progressPrinter(),
});
clearInterval(sampler);
process.stderr.write("\n");
log(`    local mode peak during the run: ${peakMiB} MiB`);
const generate = createOrderGenerator({ random: seededRandom(7) });
const bodies = Array.from({ length: plan.ceilingMessages }, () => JSON.stringify(generate().order));
const ceiling = await measureEmbeddedSqsCeiling(bodies);
log(
  `    ${endToEnd.consumedPerSecond} orders/s end to end (${endToEnd.unaccounted} unaccounted); SQS server alone ${ceiling.messagesPerSecond} messages/s`,
);

// The figures of that run, rebuilt from its order archive (every message of it, redeliveries too).
const rebuild = await rebuildFromArchive(mode.url, adminToken);
log(
  `    rebuild from the archive: ${rebuild.ordersRead} messages in ${rebuild.objectsRead} objects, ${rebuild.ordersPerSecond} orders/s (${rebuild.wallSeconds} s wall, listing delay included)`,
);

// 3. The read API on realistic data: every user has orders in every month.
log(
  `3/3 read API: ${plan.readUsers} users over ${plan.readMonths} months, 32 connections, ${plan.readSeconds} s per route`,
);
const redisClient = createRedisClient(redis.url);
const store = createRedisStore(redisClient, { prefix });
await store.clear();
const months = Array.from({ length: plan.readMonths }, (_, i) => `2026-${String(i + 1).padStart(2, "0")}`);
const random = seededRandom(11);
for (const month of months) {
  const entries: AnalyticsEntry[] = Array.from({ length: plan.readUsers }, (_, i) => ({
    kind: "valid",
    messageId: `seed-${month}-${i}`,
    orderId: `ORDSEED${month}${i}`,
    userId: `U${100_000 + i}`,
    month,
    sentAtMs: Date.now(),
    valueCents: 100 + Math.floor(random() * 500_000),
    log: "{}",
  }));
  await store.record(entries);
}
const readRoutes = [
  { name: "GET /stats/global", path: "/stats/global", targetP99: 10 },
  { name: "GET /users?limit=10", path: "/users?limit=10", targetP99: 10 },
  { name: "GET /users/{id}/stats", path: `/users/U${100_000 + 4242}/stats`, targetP99: 10 },
  { name: "GET /stats/monthly/{month}", path: "/stats/monthly/2026-06", targetP99: 25 },
];
const reads = [];
for (const route of readRoutes) {
  const { stdout } = await run(
    join(PROJECT_ROOT, "node_modules", ".bin", "autocannon"),
    ["--json", "-c", "32", "-d", String(plan.readSeconds), `${mode.url}${route.path}`],
    { maxBuffer: 50 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  reads.push({
    route: route.name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    targetP99Ms: route.targetP99,
    errors: result.errors + result.non2xx,
  });
  log(
    `    ${route.name}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
  );
}
await deleteRunKeys(redisClient, prefix);
redisClient.disconnect();
await mode.stop();
await redis.stop();

const machine = `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const results = {
  date: new Date().toISOString(),
  machine,
  quick,
  consumer,
  endToEnd: {
    ...endToEnd,
    sqsCeilingMessagesPerSecond: ceiling.messagesPerSecond,
    ratioToCeiling: round(endToEnd.consumedPerSecond / ceiling.messagesPerSecond),
  },
  rebuild,
  reads,
  footprint: {
    idleMiB: idle.residentMiB,
    idleProcesses: idle.processes,
    peakMiB,
    targetsMiB: FOOTPRINT_TARGETS_MIB,
  },
};
const name = quick ? "latest-quick" : "latest";
writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
const markdown = renderMarkdown(results);
writeFileSync(join(resultsDir, `${name}.md`), markdown);
log(`\n${markdown}`);
log(`written to bench/results/${name}.json and .md`);
process.exit(endToEnd.unaccounted === 0 ? 0 : 1);

/** The embedded SQS server local mode runs, alone in this process: send, receive, delete. */
async function measureEmbeddedSqsCeiling(bodies: string[]) {
  const sqs = await startEmbeddedAws();
  try {
    const { QueueUrl = "" } = await sqs.client.send(new CreateQueueCommand({ QueueName: "ceiling" }));
    return await measureSqsCeiling({ sqs: sqs.client, queueUrl: QueueUrl, bodies });
  } finally {
    await sqs.stop();
  }
}

/**
 * What a user's first minute asks of local mode (the start-up banner's examples), then ten
 * seconds of rest: the resident memory of every process of `npm start`, summed.
 */
async function idleFootprint(url: string) {
  await fetch(`${url}/api`);
  await fetch(`${url}/produce`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ count: 20 }),
  });
  while ((await consumedSoFar(url)) < 20) await sleep(250);
  await fetch(`${url}/users?limit=5`);
  await sleep(10_000);
  return { residentMiB: await mode.residentMiB(), processes: await mode.processes() };
}

/** POST /admin/rebuild and wait for it; the rebuild's own report of speed. */
async function rebuildFromArchive(apiUrl: string, token: string) {
  const started = performance.now();
  const start = await fetch(`${apiUrl}/admin/rebuild`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  if (start.status !== 202)
    throw new Error(`POST /admin/rebuild answered ${start.status}: ${await start.text()}`);
  for (;;) {
    await sleep(250);
    const report = (await (await fetch(`${apiUrl}/admin/rebuild`)).json()) as {
      status: string;
      objects_read: number;
      orders_read: number;
      orders_per_second: number;
      error?: string;
    };
    if (report.status === "failed") throw new Error(`the rebuild failed: ${report.error}`);
    if (report.status === "done") {
      return {
        objectsRead: report.objects_read,
        ordersRead: report.orders_read,
        ordersPerSecond: report.orders_per_second,
        wallSeconds: round((performance.now() - started) / 1000),
      };
    }
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function renderMarkdown(r: BenchResults): string {
  return `${[benchCaption(r), consumerTable(r), endToEndTable(r), readsTable(r), memoryTable(r)].join("\n\n")}\n`;
}
