/**
 * What one Redis (one slot: every key of a store shares its hash tag) can take: runs the real
 * consumer's batches against a redis-server of its own and reads Redis's own accounting, so the
 * figures do not depend on how fast Node is here:
 * - Redis CPU time per order, and the orders/s one Redis core can record (its ceiling);
 * - commands per order (counted by Redis, those inside the Lua scripts included) and round trips;
 * - the same CPU time for a plain 100-byte SET, to express an order in ElastiCache Serverless ECPUs
 *   (a simple SET/GET of up to 1 KB is 1 ECPU; commands using more vCPU time use proportionally more).
 */
import { writeFileSync } from "node:fs";
import type { Redis } from "ioredis";
import { createRedisStore } from "../lambdas/adapters/redis-store";
import { createOrderGenerator } from "../lambdas/core/generator";
import { createRedisClient } from "../lambdas/shared/clients";
import { processBatch } from "../lambdas/sqs/process-batch";
import { parseCommandLine } from "../local/command-line";
import { syntheticSqsRecord as sqsRecord } from "../local/event-source";
import { startRedisServer } from "../local/redis-server";

const { values: args } = parseCommandLine(
  "npm run bench:redis -- [options]",
  {
    orders: { type: "string", value: "N", default: "50000", range: [1, 10_000_000], help: "orders recorded" },
    batch: {
      type: "string",
      value: "N",
      default: "100",
      range: [1, 10_000],
      help: "orders a consumer batch",
    },
    users: { type: "string", value: "N", default: "1000", range: [1, 1_000_000], help: "distinct users" },
    json: { type: "string", value: "FILE", help: "write the results there too" },
  },
  process.argv.slice(2),
);
const orders = Number(args.orders);
const batchSize = Number(args.batch);
const userIds = Array.from({ length: Number(args.users) }, (_, i) => `U${10_000 + i}`);

const server = await startRedisServer();
const redis = createRedisClient(server.url) as Redis;
const store = createRedisStore(redis, { prefix: "bench:" });
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const deps = {
  store,
  sendToDlq: async () => ({ sent: new Map(), failed: [] }),
  logger: silent,
};

/** Redis's own CPU seconds (user + system) and its command counts. */
async function redisAccounting(): Promise<{ cpuSeconds: number; calls: Map<string, number> }> {
  const cpu = await redis.info("cpu");
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)?.[1] ?? 0);
  const calls = new Map<string, number>();
  for (const match of (await redis.info("commandstats")).matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)) {
    calls.set(match[1] as string, Number(match[2]));
  }
  return { cpuSeconds: field("used_cpu_user") + field("used_cpu_sys"), calls };
}

async function measure(work: () => Promise<void>) {
  await redis.config("RESETSTAT");
  const before = await redisAccounting();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const after = await redisAccounting();
  const calls = [...after.calls].filter(([name]) => !["info", "config|resetstat", "config"].includes(name));
  return { seconds, cpuSeconds: after.cpuSeconds - before.cpuSeconds, calls: new Map(calls) };
}

// The orders, as the consumer receives them: generated like the producer's, over a month.
const generate = createOrderGenerator({ userIds, spreadDays: 30 });
const batches = Array.from({ length: Math.ceil(orders / batchSize) }, () =>
  Array.from({ length: batchSize }, () => sqsRecord(JSON.stringify(generate().order))),
);

// Two batches in flight, like two consumer environments: Redis is never idle waiting for Node.
const consumed = await measure(async () => {
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await processBatch(batches[next++] as never, deps);
  };
  await Promise.all([worker(), worker()]);
});

const SET_COUNT = 100_000;
const value = "x".repeat(100);
const sets = await measure(async () => {
  for (let i = 0; i < SET_COUNT; i += 1000) {
    const pipeline = redis.pipeline();
    for (let j = i; j < i + 1000; j++) pipeline.set(`bench:set:${j}`, value);
    await pipeline.exec();
  }
});

const commandsIn = (calls: Map<string, number>) => [...calls.values()].reduce((a, b) => a + b, 0);
const scriptCalls = (consumed.calls.get("evalsha") ?? 0) + (consumed.calls.get("eval") ?? 0);
const cpuMicrosPerOrder = (consumed.cpuSeconds / orders) * 1e6;
const cpuMicrosPerSet = (sets.cpuSeconds / SET_COUNT) * 1e6;
const result = {
  orders,
  batchSize,
  users: userIds.length,
  wallOrdersPerSecond: Math.round(orders / consumed.seconds),
  redisCpuMicrosPerOrder: Number(cpuMicrosPerOrder.toFixed(2)),
  redisCeilingOrdersPerSecond: Math.round(1e6 / cpuMicrosPerOrder),
  commandsPerOrder: Number(((commandsIn(consumed.calls) - scriptCalls) / orders).toFixed(2)),
  roundTripsPerOrder: Number((scriptCalls / orders).toFixed(4)),
  commands: Object.fromEntries(consumed.calls),
  redisCpuMicrosPerSet: Number(cpuMicrosPerSet.toFixed(2)),
  ecpuPerOrderEstimate: Number((cpuMicrosPerOrder / cpuMicrosPerSet).toFixed(1)),
};

console.log(
  [
    `${orders} orders in batches of ${batchSize} over ${userIds.length} users, against one redis-server:`,
    `  Redis CPU per order        ${result.redisCpuMicrosPerOrder} µs  -> one Redis core records at most ${result.redisCeilingOrdersPerSecond.toLocaleString("en")} orders/s`,
    `  commands per order         ${result.commandsPerOrder} (inside the scripts), round trips per order ${result.roundTripsPerOrder}`,
    `  wall clock (Node included) ${result.wallOrdersPerSecond.toLocaleString("en")} orders/s`,
    `  a 100-byte SET             ${result.redisCpuMicrosPerSet} µs of Redis CPU -> an order is about ${result.ecpuPerOrderEstimate} ECPUs`,
  ].join("\n"),
);
if (args.json) writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
redis.disconnect();
await server.stop();
