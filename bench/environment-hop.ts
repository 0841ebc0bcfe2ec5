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
 */
import { cpus } from "node:os";
import { Redis } from "ioredis";
import { parseCommandLine } from "../local/command-line";
import { ensureRedis } from "../local/redis-server";
import { HOP_KEY, HOP_VALUE, startHopServer } from "./environment-hop-server";
import { httpLoad, httpLoadTool } from "./http-load";
import { median } from "./statistics";

await measure();

async function measure(): Promise<void> {
  const { values } = parseCommandLine(
    "npm run bench:environment-hop -- [options]",
    {
      rounds: {
        type: "string",
        value: "N",
        default: "3",
        range: [1, 100],
        help: "rounds, alternating the order",
      },
      seconds: {
        type: "string",
        value: "S",
        default: "5",
        range: [1, 600],
        help: "load on each server a round",
      },
    },
    process.argv.slice(2),
  );
  const redis = await ensureRedis(process.env.REDIS_URL);
  const client = new Redis(redis.url);
  await client.set(HOP_KEY, HOP_VALUE);
  const variants = ["one-thread", "environments:1", "environments:2", "environments:4", "environments:8"];
  const rates = new Map(variants.map((variant) => [variant, [] as number[]]));
  console.log(
    `environment hop: ${values.rounds} rounds of ${values.seconds} s, ${await httpLoadTool()}, 32 connections, ${cpus().length} x ${cpus()[0]?.model}`,
  );
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
      const { child, url } = await startHopServer(variant, redis.url);
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
  await client.del(HOP_KEY);
  client.disconnect();
  await redis.stop();
}
