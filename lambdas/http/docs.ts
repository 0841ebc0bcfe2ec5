import { fileURLToPath } from "node:url";
import { parseEnv } from "../shared/config";
import { FUNCTION_TABLE } from "../shared/functions";
import { createHttpFunction } from "../shared/http";
import { logger } from "../shared/logger";
import { docsHandlers } from "./docs-routes";
import { ROUTES } from "./routes";

/** Lambda entry for service information, the OpenAPI document and Swagger UI (see routes.ts). */

const env = parseEnv(FUNCTION_TABLE.docs.environment, process.env);

// The stack builds the dashboard into dashboard/ beside this bundle (lib/dashboard-build.ts).
const dashboardDir = fileURLToPath(new URL("./dashboard/", import.meta.url));

export const handler = createHttpFunction(
  ROUTES,
  "docs",
  docsHandlers({ dashboardDir, auth: { admin: env.ADMIN_AUTH, write: env.WRITE_AUTH } }),
  {
    logger,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
  },
);
