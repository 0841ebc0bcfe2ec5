import { Logger } from "@aws-lambda-powertools/logger";

/** The one structured logger of a function; POWERTOOLS_LOG_LEVEL sets its level. */
export const logger = new Logger({ serviceName: "orders-pipeline" });
