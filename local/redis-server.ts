import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { Redis } from "ioredis";

/**
 * The Redis local mode, `npm run invoke`, the tests and the benchmarks use, chosen explicitly:
 * REDIS_URL when given, and then it must answer; otherwise a `redis-server` from PATH of their
 * own, on a free port (its data in `dataDir` when given, else in memory). Never a Redis that
 * merely happens to answer on 6379: that one is somebody's.
 */

export interface LocalRedis {
  url: string;
  /** `cluster` when `url` is a node of a Redis Cluster. */
  mode: "single" | "cluster";
  /** True when this process started the server (and `stop` will end it). */
  started: boolean;
  /** Where a started server keeps its append-only file, if anywhere. */
  dataDir?: string;
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  override name = "RedisUnavailableError";
}

export async function ensureRedis(
  givenUrl: string | undefined,
  mode: LocalRedis["mode"] = "single",
  dataDir?: string,
): Promise<LocalRedis> {
  if (givenUrl) {
    if (!/^rediss?:\/\/[^\s/]+/.test(givenUrl))
      throw new RedisUnavailableError(
        `REDIS_URL=${redactedUrl(givenUrl)} is not a Redis URL: redis://host:port (or rediss:// for TLS)`,
      );
    if (!(await redisAnswers(givenUrl)))
      throw new RedisUnavailableError(
        `REDIS_URL=${redactedUrl(givenUrl)} does not answer. Start that Redis, correct REDIS_URL, or leave it unset and local mode runs a Redis of its own.`,
      );
    if (mode === "cluster" && !(await isClusterNode(givenUrl)))
      throw new RedisUnavailableError(
        `REDIS_MODE=cluster, but ${redactedUrl(givenUrl)} is not a Redis Cluster node`,
      );
    return { url: givenUrl, mode, started: false, stop: async () => {} };
  }
  try {
    return mode === "cluster" ? await startRedisCluster() : await startRedisServer({ dataDir });
  } catch (error) {
    throw new RedisUnavailableError(
      [
        `redis-server could not be started (${(error as Error).message}).`,
        "Get one of these:",
        "  - install redis-server (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)",
        "  - point REDIS_URL at a Redis of yours (e.g. REDIS_URL=redis://127.0.0.1:6379)",
      ].join("\n"),
    );
  }
}

/** A Redis URL fit to print: its password replaced. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return url;
  }
}

/**
 * A `redis-server` from PATH on a free port, with a password when one is given. In memory, or
 * with `dataDir` persistent: an append-only file there, written every second, so a restart (or a
 * crash of local mode) keeps the figures.
 */
export async function startRedisServer(
  options: { password?: string; dataDir?: string } = {},
): Promise<LocalRedis> {
  const port = await freePort();
  const persistence = options.dataDir ? await persistentRedisArgs(options.dataDir) : [];
  const child = await spawnRedis(
    port,
    [...persistence, ...(options.password ? ["--requirepass", options.password] : [])],
    { outliving: options.dataDir !== undefined },
  );
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : "";
  const url = `redis://${auth}127.0.0.1:${port}`;
  try {
    await waitUntilAnswers(url);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    url,
    mode: "single",
    started: true,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    stop: () => stopChild(child),
  };
}

/**
 * Arguments that keep a Redis's data in `dataDir`. A server a crashed local mode left running on
 * that folder is stopped first (it flushes its file as it goes): two servers must never append
 * to one file. The caller holds the state folder's lock, so any server named there is an orphan.
 */
async function persistentRedisArgs(dataDir: string): Promise<string[]> {
  mkdirSync(dataDir, { recursive: true });
  const pidFile = join(dataDir, "redis.pid");
  await stopOrphan(pidFile);
  return ["--dir", dataDir, "--appendonly", "yes", "--appendfsync", "everysec", "--pidfile", pidFile];
}

async function stopOrphan(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, "utf8").trim());
  } catch {
    return; // no server was left
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isRedisServer(pid)) return;
  process.kill(pid, "SIGTERM");
  for (let waited = 0; waited < 10_000 && isRunning(pid); waited += 50) await sleep(50);
}

/** True while process `pid` exists (EPERM: it does, as another user's). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Where /proc tells (Linux), that `pid` is a redis-server; elsewhere, that it runs. */
function isRedisServer(pid: number): boolean {
  if (!isRunning(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("redis-server");
  } catch {
    return !existsSync("/proc/self");
  }
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
    await sleep(50);
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
      await sleep(100);
    }
    throw new Error("the cluster never reached cluster_state:ok");
  } finally {
    client.disconnect();
  }
}

/**
 * `outliving`: in a process group of its own, so the Ctrl-C a terminal sends to local mode's
 * group does not end it before the functions using it have finished; local mode stops it last.
 * Only a server whose folder names it (its pid file) may outlive a crash: the next start stops it.
 */
function spawnRedis(
  port: number,
  extraArgs: readonly string[] = [],
  { outliving = false } = {},
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "redis-server",
      // Later arguments win: extraArgs may turn the append-only file on.
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extraArgs],
      { stdio: "ignore", detached: outliving },
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
