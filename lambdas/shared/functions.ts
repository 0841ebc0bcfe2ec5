import type { z } from "zod";
import {
  AdminEnvSchema,
  ConsumerEnvSchema,
  DocsEnvSchema,
  ProducerEnvSchema,
  RebuildEnvSchema,
  StatsEnvSchema,
} from "./config";

/**
 * The function table: every function of the stack, what the stack builds it from (its entry file),
 * the environment it parses at cold start, and what it needs granted. The stack (lib/) builds each
 * function from its row and sets its environment through one typed call (`EnvironmentOf`), so a
 * variable it forgets or misspells fails to compile; the function parses the same schema at cold
 * start (`parseEnv(FUNCTION_TABLE.<name>.environment, process.env)`). Local mode reads neither:
 * it runs what the synthesized template says.
 */

/** What a function may reach, granted by the stack (lib/orders-stack.ts maps each to its grants). */
export type FunctionNeed =
  | "redis"
  | "queue:send"
  | "queue:consume"
  | "queue:depths"
  | "dead-letters:admin"
  | "archive:write"
  | "archive:read"
  | "archive:clear-marks"
  | "archive-key:read"
  | "rebuild:invoke"
  | "rebuild:invoke-itself"
  | "admin-token:read";

interface FunctionRow {
  /** Relative to the project root. */
  entry: string;
  environment: z.ZodObject;
  needs: readonly FunctionNeed[];
}

export const FUNCTION_TABLE = {
  consumer: {
    entry: "lambdas/sqs/consumer.ts",
    environment: ConsumerEnvSchema,
    needs: ["queue:consume", "archive:write", "archive-key:read", "redis"],
  },
  rebuild: {
    entry: "lambdas/jobs/rebuild.ts",
    environment: RebuildEnvSchema,
    // It invokes itself to go on when its time runs short.
    needs: ["rebuild:invoke-itself", "archive:read", "archive-key:read", "redis"],
  },
  docs: { entry: "lambdas/http/docs.ts", environment: DocsEnvSchema, needs: [] },
  producer: { entry: "lambdas/http/producer.ts", environment: ProducerEnvSchema, needs: ["queue:send"] },
  stats: { entry: "lambdas/http/stats.ts", environment: StatsEnvSchema, needs: ["redis", "queue:depths"] },
  admin: {
    entry: "lambdas/http/admin.ts",
    environment: AdminEnvSchema,
    needs: ["archive:clear-marks", "rebuild:invoke", "redis", "dead-letters:admin", "admin-token:read"],
  },
} as const satisfies Record<string, FunctionRow>;

export type FunctionName = keyof typeof FUNCTION_TABLE;

type InputOf<N extends FunctionName> = z.input<(typeof FUNCTION_TABLE)[N]["environment"]>;
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/**
 * The environment the stack sets for function `N`: every variable its schema cannot do without,
 * any of the others, and nothing else; values are strings (a CDK token is one too).
 */
export type EnvironmentOf<N extends FunctionName> = {
  [K in Exclude<keyof InputOf<N>, OptionalKeys<InputOf<N>>>]: string;
} & { [K in OptionalKeys<InputOf<N>>]?: string };

/**
 * What every function is given besides its schema's variables, for the runtime and Powertools,
 * which read them themselves: source-mapped stack traces, the service name of every log line and
 * metric, and the log level.
 */
export function platformEnvironment(serviceName: string, logLevel: string) {
  return {
    NODE_OPTIONS: "--enable-source-maps",
    POWERTOOLS_SERVICE_NAME: serviceName,
    POWERTOOLS_LOG_LEVEL: logLevel,
  };
}
