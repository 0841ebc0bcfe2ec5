import { createRedisStore } from "../adapters/redis-store";
import { readSecretString } from "../adapters/secrets";
import { createSecretsClient, redisFromEnv } from "../shared/clients";
import { AdminEnvSchema, parseEnv } from "../shared/config";
import { createHttpFunction } from "../shared/http";
import { logger } from "../shared/logger";
import { adminHandlers } from "./admin-routes";

/** Lambda entry for the admin routes (see routes.ts). */

const env = parseEnv(AdminEnvSchema, process.env);
const redis = await redisFromEnv(env, { idempotent: true });
const store = createRedisStore(redis, { prefix: env.KEY_PREFIX });
// Read once per execution environment: the token never sits in the template or the environment.
const adminToken =
  env.ADMIN_TOKEN ??
  (env.ADMIN_TOKEN_SECRET_ID
    ? await readSecretString(createSecretsClient(), env.ADMIN_TOKEN_SECRET_ID)
    : undefined);

export const handler = createHttpFunction("admin", adminHandlers({ store }), {
  logger,
  bodyLimitBytes: env.BODY_LIMIT_BYTES,
  // No token and auth not explicitly off: createHttpFunction refuses to start.
  adminAuth: adminToken ? { token: adminToken } : env.ADMIN_AUTH === "off" ? "off" : undefined,
});
