import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/**
 * Finds a Redis for local mode and the tests: the given URL if it answers, else a `redis-server`
 * from PATH started on a free port (stopped again by `stop`), else an error saying how to get one.
 */

export interface LocalRedis {
  url: string;
  /** True when this process started the server (and `stop` will end it). */
  started: boolean;
  stop(): Promise<void>;
}

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export class RedisUnavailableError extends Error {
  override name = "RedisUnavailableError";
}

export async function ensureRedis(url: string = DEFAULT_REDIS_URL): Promise<LocalRedis> {
  if (await answers(url)) return { url, started: false, stop: async () => {} };

  const port = await freePort();
  let child: ChildProcess;
  try {
    child = await spawnRedis(port);
  } catch (error) {
    throw new RedisUnavailableError(
      [
        `No Redis answers at ${url}, and redis-server could not be started (${(error as Error).message}).`,
        "Get one of these:",
        "  - start a Redis and point REDIS_URL at it (e.g. REDIS_URL=redis://127.0.0.1:6379)",
        "  - install redis-server (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)",
        "  - docker compose up -d redis, then REDIS_URL=redis://127.0.0.1:6380",
      ].join("\n"),
    );
  }
  const startedUrl = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await answers(startedUrl)) {
      return { url: startedUrl, started: true, stop: () => stopChild(child) };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stopChild(child);
  throw new RedisUnavailableError(`redis-server started on port ${port} but never answered`);
}

/** True when a Redis at `url` answers PING within a second. */
export async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => {}); // the outcome is the answer; nothing to report
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function spawnRedis(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    child.once("error", reject); // ENOENT when redis-server is not on PATH
    child.once("spawn", () => resolve(child));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
