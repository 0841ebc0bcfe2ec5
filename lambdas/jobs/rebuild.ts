import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { createGenerationStore } from "../adapters/generation-store";
import { invokeAsync } from "../adapters/lambda-invoker";
import { rebuildState } from "../adapters/rebuild-state";
import { deleteGeneration } from "../adapters/redis-maintenance";
import { createS3Archive } from "../adapters/s3-archive";
import { generationPrefix } from "../core/key-prefix";
import { createLambdaClient, createS3Client, createSecretsClient, redisFromEnv } from "../shared/clients";
import { initAtColdStart } from "../shared/cold-start";
import { judgingRulesOf, parseEnv } from "../shared/config";
import { FUNCTION_TABLE } from "../shared/functions";
import { logger } from "../shared/logger";
import { archiveKeyFromEnv } from "../shared/secrets";
import { runRebuild } from "../workflows/rebuild-from-archive";

/** The rebuild function: invoked asynchronously by POST /admin/rebuild, and by itself to go on. */

const env = parseEnv(FUNCTION_TABLE.rebuild.environment, process.env);
// Everything the rebuild sends may be sent again: its records are exactly-once by their markers.
const redisReady = initAtColdStart(() => redisFromEnv(env, { idempotent: true }));
const archiveReady = initAtColdStart(async () =>
  createS3Archive(createS3Client(process.env), env.ARCHIVE_BUCKET, {
    authenticationKey: await archiveKeyFromEnv(env, createSecretsClient),
  }),
);
const lambda = createLambdaClient();
const storeOptions = { markerTtlSeconds: env.MARKER_TTL_SECONDS, logMaxLength: env.LOG_MAX_LENGTH };
// Each archived message says its own value-mismatch policy; the rest are the stack's.
const { valueMismatch: _, ...rules } = judgingRulesOf(env, "reject");

export const handler = middy<{ id: string }, string>()
  .use(injectLambdaContext(logger))
  .handler(async (event, context) => {
    const redis = await redisReady();
    return runRebuild(event.id, {
      state: rebuildState(redis, env.KEY_PREFIX),
      archive: await archiveReady(),
      storeOf: (generation) =>
        createGenerationStore(redis, {
          ...storeOptions,
          prefix: generationPrefix(env.KEY_PREFIX, generation),
        }),
      deleteGeneration: (generation) => deleteGeneration(redis, env.KEY_PREFIX, generation),
      continueLater: (id) => invokeAsync(lambda, context.functionName, { id }),
      remainingMs: () => context.getRemainingTimeInMillis(),
      logger,
      rules,
    });
  });
