import { createRedisClient, type RedisClient } from "../../lambdas/shared/clients";
import { TcpProxy } from "../../local/tcp-proxy";
import { connectRedis, redisMode, redisUrl } from "./redis";

/**
 * The client the Lambda uses (so its fail-fast settings are what is tested), reaching the test
 * Redis through TCP proxies that a test can cut: one proxy for a single server, one per master of a
 * cluster (the client is told to use them instead of the addresses the nodes report).
 */
export interface ProxiedRedis {
  client: RedisClient;
  cutNow(): void;
  /** Holds every byte this long before passing it on, either way (a Redis that has stopped answering, say). */
  delay(ms: number): void;
  restore(): void;
  close(): Promise<void>;
}

export async function proxiedRedis(): Promise<ProxiedRedis> {
  const targets = redisMode() === "cluster" ? await clusterMasters() : [hostAndPort(redisUrl())];
  const proxies = await Promise.all(targets.map(({ host, port }) => TcpProxy.start(host, port)));
  const first = proxies[0] as TcpProxy;
  const client =
    redisMode() === "cluster"
      ? createRedisClient(`redis://127.0.0.1:${first.port}`, {
          mode: "cluster",
          natMap: Object.fromEntries(
            targets.map(({ host, port }, i) => [
              `${host}:${port}`,
              { host: "127.0.0.1", port: (proxies[i] as TcpProxy).port },
            ]),
          ),
        })
      : createRedisClient(`redis://127.0.0.1:${first.port}`);
  client.on("error", () => {});
  await client.ping(); // connected first, as a warm Lambda environment is
  return {
    client,
    cutNow: () => {
      for (const proxy of proxies) proxy.cutNow();
    },
    delay: (ms) => {
      for (const proxy of proxies) proxy.latencyMs = ms;
    },
    restore: () => {
      for (const proxy of proxies) {
        proxy.latencyMs = 0;
        proxy.restore();
      }
    },
    close: async () => {
      client.disconnect();
      await Promise.all(proxies.map((proxy) => proxy.close()));
    },
  };
}

function hostAndPort(url: string): { host: string; port: number } {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port || 6379) };
}

/** The masters' addresses as the cluster reports them (CLUSTER SLOTS). */
async function clusterMasters(): Promise<{ host: string; port: number }[]> {
  const direct = connectRedis();
  try {
    const masters = new Map<string, { host: string; port: number }>();
    for (const [, , master] of await direct.cluster("SLOTS")) {
      if (master) masters.set(`${master[0]}:${master[1]}`, { host: master[0], port: master[1] });
    }
    return [...masters.values()];
  } finally {
    direct.disconnect();
  }
}
