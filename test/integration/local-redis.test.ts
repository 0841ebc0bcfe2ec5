import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { ensureRedis, freePort, isRunning, RedisUnavailableError } from "../../local/redis-server";

/**
 * The Redis local mode chooses: the one REDIS_URL names, which must answer; otherwise one of its
 * own, never whatever answers on 6379; in the state folder, one whose data outlasts it, and never
 * two servers on one append-only file.
 */

const dataDir = mkdtempSync(join(tmpdir(), "orders-local-redis-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function withClient<T>(url: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

describe("local mode's Redis", () => {
  it("is the one REDIS_URL names, or an error naming it when it does not answer", async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    await expect(ensureRedis(dead)).rejects.toThrow(RedisUnavailableError);
    await expect(ensureRedis(dead)).rejects.toThrow(`REDIS_URL=${dead} does not answer`);
    const own = await ensureRedis(undefined);
    try {
      const named = await ensureRedis(own.url);
      expect(named).toMatchObject({ url: own.url, started: false });
    } finally {
      await own.stop();
    }
  });

  it("without REDIS_URL is one of its own, never the one on 6379", async () => {
    const own = await ensureRedis(undefined);
    try {
      expect(own.started).toBe(true);
      expect(new URL(own.url).port).not.toBe("6379");
      expect(await withClient(own.url, (client) => client.ping())).toBe("PONG");
    } finally {
      await own.stop();
    }
  });

  it("in the state folder keeps its data across a restart, and stops a server a crashed run left on it", async () => {
    const first = await ensureRedis(undefined, "single", dataDir);
    await withClient(first.url, (client) => client.set("kept", "across a restart"));
    const orphan = Number(readFileSync(join(dataDir, "redis.pid"), "utf8"));
    expect(isRunning(orphan)).toBe(true);
    // No stop(): as if local mode had been killed. The next start stops that server first.
    const second = await ensureRedis(undefined, "single", dataDir);
    try {
      expect(isRunning(orphan)).toBe(false);
      expect(await withClient(second.url, (client) => client.get("kept"))).toBe("across a restart");
    } finally {
      await second.stop();
      await first.stop();
    }
  });
});
