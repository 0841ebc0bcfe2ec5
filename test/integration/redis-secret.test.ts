import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createRedisStore } from "../../lambdas/adapters/redis-store";
import { type RedisClient, redisFromEnv } from "../../lambdas/shared/clients";
import { ConfigError, parseEnv, RedisEnvSchema } from "../../lambdas/shared/config";
import { localAwsEnvironment } from "../../local/embedded-aws";
import { type LocalRedis, startRedisServer } from "../../local/redis-server";
import { type LocalSecretsEndpoint, startSecretsEndpoint } from "../../local/secrets";
import { NOTHING_KEPT, SIGNED_LOCALLY } from "../support/local-endpoints";
import { uniquePrefix } from "../support/redis";

/**
 * A Redis with a password is reached only through Secrets Manager: the function's environment
 * names the secret (REDIS_SECRET_ID, as the stack sets it), the URL with the password comes from
 * GetSecretValue at cold start, over the real SDK (against local mode's Secrets Manager endpoint).
 */

const PASSWORD = "correct horse battery staple";
let redis: LocalRedis;
let secrets: LocalSecretsEndpoint;
const clients: RedisClient[] = [];
let secretValue = "";

beforeAll(async () => {
  redis = await startRedisServer({ password: PASSWORD });
  secretValue = redis.url;
  secrets = await startSecretsEndpoint(
    () => [
      {
        logicalId: "RedisUrl",
        name: "orders/redis-url",
        arn: "arn:local:orders/redis-url",
        value: secretValue,
      },
    ],
    NOTHING_KEPT,
    SIGNED_LOCALLY,
  );
  Object.assign(process.env, {
    ...localAwsEnvironment({ secretsManager: secrets.endpoint }),
  });
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await secrets?.stop();
  await redis?.stop();
});

/** The environment as the stack gives it to a function (no URL, no password: the secret's name). */
const envFor = (variables: Record<string, string>) =>
  parseEnv(RedisEnvSchema, { REDIS_MODE: "single", KEY_PREFIX: "orders:", ...variables });

async function connect(variables: Record<string, string>): Promise<RedisClient> {
  const client = await redisFromEnv(envFor(variables));
  client.on("error", () => {});
  clients.push(client);
  return client;
}

describe("a Redis password", () => {
  it("reaches the function through the secret REDIS_SECRET_ID names, and works", async () => {
    const client = await connect({ REDIS_SECRET_ID: "orders/redis-url" });
    const store = createRedisStore(client, { prefix: uniquePrefix("secret") });
    expect(await store.ping()).toBe(true);
    expect(await store.globalStats()).toMatchObject({ totalOrders: 0 });
  });

  it("is needed: the same Redis without it refuses every command", async () => {
    const { port } = new URL(redis.url);
    const client = await connect({ REDIS_URL: `redis://127.0.0.1:${port}` });
    await expect(client.ping()).rejects.toThrow(/NOAUTH/);
  });

  it("rotates without a new environment: the client reconnects with the secret's new URL", async () => {
    const client = await connect({ REDIS_SECRET_ID: "orders/redis-url", SECRET_REFRESH_SECONDS: "1" });
    expect(await client.ping()).toBe("PONG");
    const rotated = "a brand new password";
    const admin = await connect({ REDIS_SECRET_ID: "orders/redis-url" });
    try {
      // The rotation: the server takes the new password, drops every connection, and the secret
      // holds the new URL.
      await admin.config("SET", "requirepass", rotated);
      secretValue = redis.url.replace(encodeURIComponent(PASSWORD), encodeURIComponent(rotated));
      await admin.call("CLIENT", "KILL", "TYPE", "normal").catch(() => {});
      await vi.waitFor(async () => expect(await client.ping()).toBe("PONG"), {
        timeout: 5_000,
        interval: 200,
      });
    } finally {
      const restore = await connect({ REDIS_SECRET_ID: "orders/redis-url" });
      await restore.config("SET", "requirepass", PASSWORD);
      secretValue = redis.url;
      await restore.call("CLIENT", "KILL", "TYPE", "normal").catch(() => {});
    }
  });

  it("is never echoed when the secret holds something else than a Redis URL", async () => {
    secretValue = `password=${PASSWORD}`;
    try {
      const failure = await redisFromEnv(envFor({ REDIS_SECRET_ID: "orders/redis-url" })).catch(
        (error) => error,
      );
      expect(failure).toBeInstanceOf(ConfigError);
      expect(String(failure.message)).toContain("orders/redis-url");
      expect(String(failure.message)).not.toContain(PASSWORD);
    } finally {
      secretValue = redis.url;
    }
  });
});
