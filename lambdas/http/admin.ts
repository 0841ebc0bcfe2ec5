import { deadLetterAccess } from "../adapters/dead-letters";
import { invokeAsync } from "../adapters/lambda-invoker";
import { rebuildState } from "../adapters/rebuild-state";
import { deleteGeneration } from "../adapters/redis-maintenance";
import { createRedisStore } from "../adapters/redis-store";
import { archiveClearMarks } from "../adapters/s3-archive";
import {
  createLambdaClient,
  createS3Client,
  createSecretsClient,
  createSqsClient,
  redisFromEnv,
} from "../shared/clients";
import { handlerAfter, initAtColdStart } from "../shared/cold-start";
import { parseEnv } from "../shared/config";
import { FUNCTION_TABLE } from "../shared/functions";
import { createHttpFunction } from "../shared/http";
import { logger } from "../shared/logger";
import { readSecretString, refreshingSecret } from "../shared/secrets";
import { adminHandlers } from "./admin-routes";
import { ROUTES } from "./routes";

/** Lambda entry for the admin routes (see routes.ts). */

const env = parseEnv(FUNCTION_TABLE.admin.environment, process.env);

/** A redrive stops in time to answer within API Gateway's 29 s (it says whether it finished). */
const REDRIVE_BUDGET_MS = 20_000;
const deadLetters = deadLetterAccess(
  createSqsClient(),
  {
    queueUrl: env.QUEUE_URL,
    queueArn: env.QUEUE_ARN,
    deadLetterQueueUrl: env.DLQ_URL,
    deadLetterQueueArn: env.DLQ_ARN,
  },
  REDRIVE_BUDGET_MS,
);
const lambda = createLambdaClient();

const ready = initAtColdStart(async () => {
  const redis = await redisFromEnv(env, { idempotent: true });
  // From Secrets Manager, read again every SECRET_REFRESH_SECONDS (a rotation takes effect without
  // a new environment); never in the template or the environment. The first read is part of init.
  const secretId = env.ADMIN_TOKEN_SECRET_ID;
  const secretsClient = createSecretsClient();
  const adminToken =
    env.ADMIN_TOKEN ??
    (secretId
      ? refreshingSecret(() => readSecretString(secretsClient, secretId), env.SECRET_REFRESH_SECONDS * 1000)
      : undefined);
  if (typeof adminToken === "function") await adminToken();
  const rebuild =
    env.ARCHIVE_BUCKET && env.REBUILD_FUNCTION_NAME
      ? {
          state: rebuildState(redis, env.KEY_PREFIX),
          archive: archiveClearMarks(createS3Client(process.env), env.ARCHIVE_BUCKET),
          deleteGeneration: (generation: number) => deleteGeneration(redis, env.KEY_PREFIX, generation),
          invoke: (id: string) => invokeAsync(lambda, env.REBUILD_FUNCTION_NAME as string, { id }),
        }
      : undefined;
  const store = createRedisStore(redis, { prefix: env.KEY_PREFIX });
  return createHttpFunction(ROUTES, "admin", adminHandlers({ store, deadLetters, rebuild }), {
    logger,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    // No token and auth not explicitly off: createHttpFunction refuses to start.
    adminAuth: adminToken ? { token: adminToken } : env.ADMIN_AUTH === "off" ? "off" : undefined,
  });
});

export const handler = handlerAfter(ready);
