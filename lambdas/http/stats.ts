import { createRedisStore } from "../adapters/redis-store";
import { queueDepth } from "../adapters/sqs-queue";
import { createSqsClient, redisFromEnv } from "../shared/clients";
import { handlerAfter, initAtColdStart } from "../shared/cold-start";
import { parseEnv } from "../shared/config";
import { FUNCTION_TABLE } from "../shared/functions";
import { createHttpFunction } from "../shared/http";
import { logger } from "../shared/logger";
import { ROUTES } from "./routes";
import { statsHandlers } from "./stats-routes";

/** Lambda entry for the stats routes (see routes.ts). */

const env = parseEnv(FUNCTION_TABLE.stats.environment, process.env);
const sqs = createSqsClient();

const ready = initAtColdStart(async () => {
  // One read at a time per environment: each route is one command or script, sent at once.
  const redis = await redisFromEnv(env, { idempotent: true });
  return createHttpFunction(
    ROUTES,
    "stats",
    statsHandlers({
      store: createRedisStore(redis, { prefix: env.KEY_PREFIX }),
      queueDepths: async () => {
        const [queue, deadLetterQueue] = await Promise.all([
          queueDepth(sqs, env.QUEUE_URL),
          queueDepth(sqs, env.DLQ_URL),
        ]);
        return { queue, deadLetterQueue };
      },
    }),
    { logger, bodyLimitBytes: env.BODY_LIMIT_BYTES },
  );
});

export const handler = handlerAfter(ready);
