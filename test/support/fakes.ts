import { Logger } from "@aws-lambda-powertools/logger";

/** A real Powertools logger that prints nothing, for tests that do not read the logs. */
export const silentLogger = new Logger({ serviceName: "orders-pipeline-test", logLevel: "SILENT" });
