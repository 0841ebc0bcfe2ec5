import { createRedisStore } from "../adapters/redis-store";
import { createRedisClient } from "../shared/clients";
import { AdminEnvSchema, parseEnv } from "../shared/config";
import { createHttpFunction } from "../shared/http";
import { logger } from "../shared/logger";
import { adminHandlers } from "./admin-routes";

/** Lambda entry for the admin routes (see routes.ts). */

const env = parseEnv(AdminEnvSchema, process.env);
const redis = createRedisClient(env.REDIS_URL);
const store = createRedisStore(redis, { prefix: env.KEY_PREFIX });

export const handler = createHttpFunction("admin", adminHandlers({ store }), {
  logger,
  bodyLimitBytes: env.BODY_LIMIT_BYTES,
  adminToken: env.ADMIN_TOKEN,
});
