import { afterEach, describe, expect, it } from "vitest";
import { failStaleCommands } from "../../lambdas/shared/redis-deadline";
import { type ProxiedRedis, proxiedRedis } from "../support/proxied-redis";

/**
 * The deadline every Redis client of the functions has (createRedisClient: 5 s), here with a
 * shorter one on the same kind of client, reaching the test Redis (a single server or a cluster)
 * through proxies that can stop passing replies on.
 */

const TIMEOUT_MS = 400;
const CHECK_EVERY_MS = 100;
let proxy: ProxiedRedis | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function connected(): Promise<ProxiedRedis> {
  proxy = await proxiedRedis();
  failStaleCommands(proxy.client, TIMEOUT_MS, CHECK_EVERY_MS);
  return proxy;
}

describe("a Redis command's deadline", () => {
  it("fails a command the connection leaves unanswered, after the timeout and within one check more", async () => {
    const { client, delay } = await connected();
    delay(60_000); // a Redis that has stopped answering, its connection still open
    const started = performance.now();
    const outcome = await client.get("deadline:any").then(
      () => "answered",
      (error: Error) => error.message,
    );
    const waited = performance.now() - started;
    expect(outcome).toBe("Command timed out");
    expect(waited).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(waited).toBeLessThan(TIMEOUT_MS + 2 * CHECK_EVERY_MS + 500); // + a loaded machine's slack
  });

  it("fails every command waiting behind the stuck one with it", async () => {
    const { client, delay } = await connected();
    delay(60_000);
    const outcomes = await Promise.allSettled([client.get("deadline:a"), client.get("deadline:b")]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["rejected", "rejected"]);
  });

  it("leaves a slow answer within the deadline alone", async () => {
    const { client, delay } = await connected();
    await client.set("deadline:slow", "here");
    delay(100); // each way: about 200 ms a command, half the deadline
    expect(await client.get("deadline:slow")).toBe("here");
    expect(await client.get("deadline:slow")).toBe("here");
    await client.del("deadline:slow");
  });
});
