/**
 * Consumer benchmark: feeds the real consumer handler (middy + Powertools + Redis Lua) synthetic
 * SQS events of seed-like orders against the real Redis, and prints per batch size the median
 * orders/s, peak RSS, and the rate of bare JSON.parse over the same bodies as the ceiling.
 *
 * With `--archive`, every slice is first written to the order archive (an S3 bucket in the same
 * embedded server), as the deployed consumer does.
 *
 * With `--steps`, each batch size also gets the consumer's three steps timed apart, one after the
 * other, on the same kind of batch: judging every record (parse and validate), archiving the batch
 * (JSON Lines, gzip, PUT), and the Redis step (the record script, slices in flight together). With
 * the archive written before Redis counts anything, a batch takes at least the sum of the three.
 */

import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import type { Context, SQSEvent } from "aws-lambda";
import { createRedisStore } from "../lambdas/adapters/redis-store";
import { createS3Archive } from "../lambdas/adapters/s3-archive";
import { createOrderGenerator } from "../lambdas/core/generator";
import { classifyMessage } from "../lambdas/core/outcome";
import { DEFAULT_JUDGING_RULES } from "../lambdas/core/rules";
import { createRedisClient, createS3Client } from "../lambdas/shared/clients";
import { RECORD_SLICE, toArchived, toEntry } from "../lambdas/sqs/process-batch";
import { defaultConsumerEnvironment } from "../lib/environments";
import { parseCommandLine, usageError, wholeNumber } from "../local/command-line";
import { localAwsEnvironment } from "../local/embedded-aws";
import { syntheticSqsRecord as sqsRecord } from "../local/event-source";
import { ensureRedis } from "../local/redis-server";
import { startAwsServerProcess } from "./aws-server";
import { median } from "./statistics";

const USAGE = "npm run bench:consumer -- [options]";
const { values: args } = parseCommandLine(
  USAGE,
  {
    sizes: { type: "string", value: "N,N,...", default: "10,100,1000,10000", help: "batch sizes" },
    orders: {
      type: "string",
      value: "N",
      default: "30000",
      range: [1, 10_000_000],
      help: "orders per batch size (at least 3 batches)",
    },
    archive: {
      type: "boolean",
      help: "write each slice to the order archive first, as the deployed consumer does",
    },
    steps: { type: "boolean", help: "also time judging, the archive and the Redis step apart" },
    json: { type: "string", value: "FILE", help: "write the results there too" },
  },
  process.argv.slice(2),
);
const sizes = args.sizes.split(",").map((size) => {
  try {
    return wholeNumber(size, "each of --sizes", 1, 100_000);
  } catch (error) {
    return usageError(USAGE, (error as Error).message);
  }
});
/** The archive's authentication key here (the stack's is a Secrets Manager secret). */
const BENCH_ARCHIVE_KEY = "bench-archive-authentication-key";
const ordersPerSize = Number(args.orders);

const redis = await ensureRedis(process.env.REDIS_URL);
// SQS and S3 answer from another process, as they do for a deployed function.
const sqs = await startAwsServerProcess();
const prefix = `bench:${randomUUID().slice(0, 8)}:`;
Object.assign(process.env, {
  // What the stack sets at its default parameters (lib/environments.ts); below, where things are.
  ...defaultConsumerEnvironment(),
  REDIS_URL: redis.url,
  KEY_PREFIX: prefix,
  QUEUE_URL: await sqs.createQueue("bench-orders"),
  DLQ_URL: await sqs.createQueue("bench-dlq"),
  ...localAwsEnvironment({ all: sqs.endpoint }),
  // One INFO line per batch would flood this terminal; the work done is the same.
  POWERTOOLS_LOG_LEVEL: "WARN",
  POWERTOOLS_SERVICE_NAME: "orders-pipeline",
  ARCHIVE_BUCKET: args.archive ? await sqs.createBucket("bench-archive") : "",
  ARCHIVE_KEY: BENCH_ARCHIVE_KEY,
});
// The metric lines are built and written as on Lambda (their cost is measured), then dropped here.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
  String(chunk).startsWith('{"_aws"') ? true : write(chunk, ...rest)) as typeof process.stdout.write;
const { handler } = await import("../lambdas/sqs/consumer");
// The steps' own archive and store, beside the handler's (same bucket kind, a prefix of their own).
const stepsArchive = args.steps
  ? createS3Archive(createS3Client(process.env), await sqs.createBucket("bench-steps-archive"), {
      authenticationKey: BENCH_ARCHIVE_KEY,
    })
  : undefined;
// The bench's own connection: the steps' store, and the clean-up at the end.
const benchRedis = createRedisClient(redis.url);
const stepsStore = createRedisStore(benchRedis, { prefix: `${prefix}steps:` });
const context = { functionName: "bench-consumer", awsRequestId: "bench" } as Context;
const generate = createOrderGenerator();

interface Row {
  archive: boolean;
  steps?: Awaited<ReturnType<typeof measureSteps>>;
  batchSize: number;
  batches: number;
  ordersPerSecond: number;
  jsonParseCeiling: number;
  ratioToCeiling: number;
  peakRssMiB: number;
}

async function measure(batchSize: number): Promise<Row> {
  const batches = Math.max(3, Math.ceil(ordersPerSize / batchSize));
  const rates: number[] = [];
  const parseRates: number[] = [];
  let peakRss = 0;
  // warm-up: JIT, script load, connection
  await handler(eventOf(batchSize), context);
  for (let i = 0; i < batches; i++) {
    const event = eventOf(batchSize); // built outside the timed part, like Lambda's own event
    const bodies = event.Records.map((r) => r.body);

    let start = performance.now();
    for (const body of bodies) JSON.parse(body);
    parseRates.push(batchSize / ((performance.now() - start) / 1000));

    start = performance.now();
    const response = await handler(event, context);
    rates.push(batchSize / ((performance.now() - start) / 1000));
    if (response.batchItemFailures.length > 0) throw new Error("the consumer reported failures");
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }
  const ordersPerSecond = median(rates);
  const jsonParseCeiling = median(parseRates);
  return {
    ...(args.steps ? { steps: await measureSteps(batchSize, batches) } : {}),
    archive: args.archive,
    batchSize,
    batches,
    ordersPerSecond: Math.round(ordersPerSecond),
    jsonParseCeiling: Math.round(jsonParseCeiling),
    ratioToCeiling: Number((ordersPerSecond / jsonParseCeiling).toFixed(2)),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
  };
}

/** Median ms of each step for a batch of `batchSize`, the steps run one after the other. */
async function measureSteps(batchSize: number, batches: number) {
  const times = {
    parse: [] as number[],
    judge: [] as number[],
    archive: [] as number[],
    redis: [] as number[],
  };
  for (let i = 0; i <= batches; i++) {
    const records = eventOf(batchSize).Records;
    let start = performance.now();
    for (const record of records) JSON.parse(record.body);
    const parse = performance.now() - start;

    start = performance.now();
    const judged = records.map((record) => ({ record, outcome: classifyMessage(record.body) }));
    const judge = performance.now() - start;

    start = performance.now();
    const archived = stepsArchive?.open(randomUUID(), DEFAULT_JUDGING_RULES.valueMismatch);
    for (let first = 0; first < judged.length; first += RECORD_SLICE)
      archived?.add(judged.slice(first, first + RECORD_SLICE).map(toArchived(DEFAULT_JUDGING_RULES)));
    await archived?.close();
    const archive = performance.now() - start;

    start = performance.now();
    const slices: Promise<unknown>[] = [];
    for (let first = 0; first < judged.length; first += RECORD_SLICE)
      slices.push(stepsStore.record(judged.slice(first, first + RECORD_SLICE).map(toEntry)));
    await Promise.all(slices);
    const redisStep = performance.now() - start;

    if (i === 0) continue; // warm-up
    times.parse.push(parse);
    times.judge.push(judge);
    times.archive.push(archive);
    times.redis.push(redisStep);
  }
  const ms = (values: number[]) => Number(median(values).toFixed(1));
  return {
    parseMs: ms(times.parse),
    judgeMs: ms(times.judge),
    archiveMs: ms(times.archive),
    redisMs: ms(times.redis),
  };
}

function eventOf(size: number): SQSEvent {
  return { Records: Array.from({ length: size }, () => sqsRecord(JSON.stringify(generate().order))) };
}

console.log(`consumer benchmark: Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}`);
console.log(`Redis ${redis.url}${redis.started ? " (started for this run)" : ""}, key prefix ${prefix}`);
console.log(
  `order archive ${args.archive ? "on (S3: the embedded server, in a process of its own)" : "off"}\n`,
);
const rows: Row[] = [];
for (const size of sizes) {
  const row = await measure(size);
  rows.push(row);
  console.log(
    `batch ${String(size).padStart(6)}: ${String(row.ordersPerSecond).padStart(7)} orders/s` +
      `  (JSON.parse ceiling ${row.jsonParseCeiling}/s, ratio ${row.ratioToCeiling})` +
      `  peak RSS ${row.peakRssMiB} MiB  [${row.batches} batches, median]`,
  );
  if (row.steps) {
    const { parseMs, judgeMs, archiveMs, redisMs } = row.steps;
    const ratio = (ms: number) => (parseMs / ms).toFixed(2);
    console.log(
      `             steps, median ms a batch: JSON.parse ${parseMs}, judge ${judgeMs}, archive ${archiveMs}, Redis ${redisMs}\n` +
        `             judge + archive + Redis (archive first) ${(judgeMs + archiveMs + redisMs).toFixed(1)} ms: at most ${ratio(judgeMs + archiveMs + redisMs)}x JSON.parse;` +
        ` judge + Redis alone ${(judgeMs + redisMs).toFixed(1)} ms: ${ratio(judgeMs + redisMs)}x`,
    );
  }
}
if (args.json) writeFileSync(args.json, `${JSON.stringify(rows, null, 2)}\n`);

await createRedisStore(benchRedis, { prefix }).clear();
await stepsStore.clear();
benchRedis.disconnect();
sqs.stop();
await redis.stop();
process.exit(0); // the handler's module-scope Redis client would keep the process alive
