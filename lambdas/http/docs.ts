import { HttpEnvSchema, parseEnv } from "../shared/config";
import { createHttpFunction } from "../shared/http";
import { logger } from "../shared/logger";
import { docsHandlers } from "./docs-routes";

/** Lambda entry for service information, the OpenAPI document and Swagger UI (see routes.ts). */

const env = parseEnv(HttpEnvSchema, process.env);

export const handler = createHttpFunction("docs", docsHandlers(), {
  logger,
  bodyLimitBytes: env.BODY_LIMIT_BYTES,
});
