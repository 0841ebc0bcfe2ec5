import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";

/**
 * Finds a Redis for local mode and the tests: the given URL if it answers, else a `redis-server`
 * from PATH started on a free port (stopped again by `stop`), else an error saying how to get one.
 */

export interface LocalRedis {
  url: string;
  /** `cluster` when `url` is a node of a Redis Cluster. */
  mode: "single" | "cluster";
  /** True when this process started the server (and `stop` will end it). */
  started: boolean;
  stop(): Promise<void>;
}

const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export class RedisUnavailableError extends Error {
  override name = "RedisUnavailableError";
}

export async function ensureRedis(
  givenUrl: string | undefined,
  mode: LocalRedis["mode"] = "single",
): Promise<LocalRedis> {
  const url = givenUrl ?? DEFAULT_REDIS_URL;
  if (mode === "cluster") {
    if (await isClusterNode(url)) return { url, mode, started: false, stop: async () => {} };
    if (givenUrl)
      throw new RedisUnavailableError(`REDIS_MODE=cluster, but ${givenUrl} is not a Redis Cluster node`);
    return startRedisCluster();
  }
  if (await redisAnswers(url)) return { url, mode, started: false, stop: async () => {} };

  try {
    return await startRedisServer();
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
}

/** A `redis-server` from PATH on a free port, in memory; with a password when one is given. */
export async function startRedisServer(options: { password?: string } = {}): Promise<LocalRedis> {
  const port = await freePort();
  const child = await spawnRedis(port, options.password ? ["--requirepass", options.password] : []);
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : "";
  const url = `redis://${auth}127.0.0.1:${port}`;
  try {
    await waitUntilAnswers(url);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { url, mode: "single", started: true, stop: () => stopChild(child) };
}

/** True when a Redis at `url` answers and has cluster mode on. */
async function isClusterNode(url: string): Promise<boolean> {
  if (!(await redisAnswers(url))) return false;
  const client = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    return String(await client.info("cluster")).includes("cluster_enabled:1");
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** True when a Redis at `url` answers PING within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
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

/**
 * A three-master Redis Cluster from `redis-server` and `redis-cli` on free ports, in memory, the
 * way the tests and `REDIS_MODE=cluster npm start` meet ElastiCache Serverless's cluster semantics.
 */
export async function startRedisCluster(masters = 3): Promise<LocalRedis> {
  const directory = mkdtempSync(join(tmpdir(), "orders-redis-cluster-"));
  const ports = await Promise.all(Array.from({ length: masters }, () => freePort()));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      children.push(
        await spawnRedis(port, [
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          join(directory, `nodes-${port}.conf`),
          "--dir",
          directory,
        ]),
      );
    }
    for (const port of ports) await waitUntilAnswers(`redis://127.0.0.1:${port}`);
    await promisify(execFile)("redis-cli", [
      "--cluster",
      "create",
      ...ports.map((port) => `127.0.0.1:${port}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    await waitForClusterOk(ports[0] as number);
  } catch (error) {
    await stop();
    throw new RedisUnavailableError(
      `a Redis Cluster could not be started from redis-server and redis-cli (${(error as Error).message})`,
    );
  }
  return { url: `redis://127.0.0.1:${ports[0]}`, mode: "cluster", started: true, stop };
}

async function waitUntilAnswers(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await redisAnswers(url)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} never answered`);
}

/** Every slot assigned and the cluster agreeing on it (`cluster_state:ok`). */
async function waitForClusterOk(port: number): Promise<void> {
  const client = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: 0 });
  try {
    for (let attempt = 0; attempt < 100; attempt++) {
      const info = String(await client.call("CLUSTER", "INFO"));
      if (info.includes("cluster_state:ok")) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("the cluster never reached cluster_state:ok");
  } finally {
    client.disconnect();
  }
}

function spawnRedis(port: number, extraArgs: readonly string[] = []): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extraArgs],
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
