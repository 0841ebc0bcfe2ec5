import { z } from "zod";
import { VALUE_MISMATCH_POLICIES } from "../lambdas/core/rules";

/**
 * The stack's parameters: one typed object, read from CDK context (`-c name=value` or cdk.json)
 * with defaults that deploy to LocalStack as they are. Invalid values stop synth with every
 * problem named.
 */
export const OrdersParametersSchema = z.object({
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]*$/)
    .default("OrdersPipeline"),
  /** Where the functions find Redis: the compose service on LocalStack, your endpoint on AWS. */
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, "must be redis://host:port or rediss://host:port")
    .default("redis://redis:6379"),
  keyPrefix: z.string().min(1).max(100).default("orders:"),
  /** Records per consumer invocation; above 10 needs a batching window of at least 1 s. */
  batchSize: z.coerce.number().int().min(1).max(10_000).default(100),
  batchingWindowSeconds: z.coerce.number().int().min(0).max(300).default(1),
  /** Most consumer invocations at once for the queue (AWS allows 2-1000). */
  maxConcurrency: z.coerce.number().int().min(2).max(1000).default(5),
  consumerTimeoutSeconds: z.coerce.number().int().min(1).max(900).default(30),
  /** How long the queue keeps a message; the exactly-once markers live as long. */
  queueRetentionSeconds: z.coerce
    .number()
    .int()
    .min(60)
    .max(1_209_600)
    .default(4 * 24 * 3600),
  maxReceiveCount: z.coerce.number().int().min(1).max(1000).default(5),
  /**
   * Name of an existing Secrets Manager secret holding the admin token. Without it the stack
   * generates one (output AdminTokenSecretArn). Either way `DELETE /clear_redis_db` needs
   * `Authorization: Bearer <token>`, and the token never appears in the template.
   */
  adminTokenSecretName: z.string().min(1).optional(),
  /** API Gateway stage throttling, requests per second and burst. */
  throttlingRateLimit: z.coerce.number().min(1).default(200),
  throttlingBurstLimit: z.coerce.number().int().min(1).default(400),
  logLevel: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
  /**
   * An order whose value differs from its items' total: `reject` counts it failed (the original's
   * documented rule), `correct` counts it valid at the line total, as the original's code did.
   */
  valueMismatch: z.enum(VALUE_MISMATCH_POLICIES).default("reject"),
});

export type OrdersParameters = z.infer<typeof OrdersParametersSchema>;

/** Reads the parameters from a context getter (e.g. `app.node.tryGetContext`). */
export function parametersFromContext(get: (key: string) => unknown): OrdersParameters {
  const raw = Object.fromEntries(Object.keys(OrdersParametersSchema.shape).map((key) => [key, get(key)]));
  const parsed = OrdersParametersSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  -c ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid stack parameters:\n${problems.join("\n")}`);
  }
  return parsed.data;
}
