import { z } from "zod";
import { describeIssues } from "../lambdas/core/issues";
import { DEFAULT_KEY_PREFIX, KeyPrefixSchema } from "../lambdas/core/key-prefix";
import { DEFAULT_JUDGING_RULES, VALUE_MISMATCH_POLICIES } from "../lambdas/core/rules";
import { nearestName } from "./nearest-name";

/**
 * The stack's parameters: one typed object, read from CDK context (`-c name=value` or cdk.json)
 * with defaults that deploy to LocalStack as they are. Invalid values stop synth with every
 * problem named.
 */
/** The compose sidecar's Redis: where the functions find it on LocalStack. */
export const DEFAULT_REDIS_URL = "redis://redis:6379";

const OrdersParametersSchema = z
  .object({
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]*$/)
      .default("OrdersPipeline"),
    /**
     * `external` (a Redis you bring: redisUrl or redisSecretName) or `elasticache` (the stack
     * creates an ElastiCache Serverless cache for Valkey in a VPC of its own).
     */
    redisMode: z.enum(["external", "elasticache"]).default("external"),
    /** external: a Redis without a password (default: the compose service, for LocalStack). */
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, "must be redis://host:port or rediss://host:port")
      .optional(),
    /** external: a Secrets Manager secret holding the Redis URL with its password. */
    redisSecretName: z.string().min(1).optional(),
    keyPrefix: KeyPrefixSchema.default(DEFAULT_KEY_PREFIX),
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
     * Per-message backoff: a record the consumer could not record comes back after
     * min(retryBaseSeconds x 2^(receives - 1) + jitter, retryMaxSeconds) instead of the whole
     * visibility timeout. retryMaxSeconds may not exceed the visibility timeout (checked at synth).
     */
    retryBaseSeconds: z.coerce.number().int().min(1).max(3600).default(2),
    /** Default: 60, or the visibility timeout when that is shorter. */
    retryMaxSeconds: z.coerce.number().int().min(1).max(43_200).optional(),
    /**
     * Name of an existing Secrets Manager secret holding the admin token. Without it the stack
     * generates one (output AdminTokenSecretArn). Either way `DELETE /clear_redis_db` needs
     * `Authorization: Bearer <token>`, and the token never appears in the template.
     */
    adminTokenSecretName: z.string().min(1).optional(),
    /**
     * `off` opens the admin routes to anyone (a throwaway demo): no token is created or checked.
     * Anything else keeps them behind the token; a function with no token refuses to start.
     */
    adminAuth: z.enum(["token", "off"]).default("token"),
    /**
     * `apiKey` (the default on AWS): POST /produce and /orders need an API key (header x-api-key)
     * under a usage plan; `open`: anyone may write (what the original's clients expect; local mode
     * and deploy:local use it unless told otherwise).
     */
    writeAuth: z.enum(["apiKey", "open"]).default("apiKey"),
    /**
     * API Gateway access logs: one JSON line per request (time, source IP, method, path, status)
     * in a log group kept three months. Needs the account's API Gateway CloudWatch role, which the
     * stack then sets (an account-wide setting, kept when the stack goes): `off` leaves it alone.
     */
    accessLogs: z.enum(["on", "off"]).default("on"),
    /**
     * X-Ray active tracing on the API stage and every function: API Gateway and Lambda record
     * segments, the SDK passes the trace on to SQS (AWSTraceHeader) and X-Ray links the consumer's
     * trace to each producer's. No tracing SDK in the functions. `off` records nothing.
     */
    tracing: z.enum(["on", "off"]).default("on"),
    /**
     * `POST /produce` makes up to 1,000 orders a request, each an SQS message, consumer time,
     * archive bytes and a marker kept for days, while a usage plan and stage throttling count
     * requests: 1,000 times the price of one. `off` (the default: on AWS it is a demo's tool, not
     * a production one) answers it 404 and makes nothing; local mode and deploy:local turn it on.
     */
    produce: z.enum(["on", "off"]).default("off"),
    /** The usage plan of the write routes' API key: requests per day, per second and burst. */
    apiKeyQuotaPerDay: z.coerce.number().int().min(1).default(100_000),
    apiKeyRateLimit: z.coerce.number().min(1).default(50),
    apiKeyBurstLimit: z.coerce.number().int().min(1).default(100),
    /** API Gateway stage throttling, requests per second and burst. */
    throttlingRateLimit: z.coerce.number().min(1).default(200),
    throttlingBurstLimit: z.coerce.number().int().min(1).default(400),
    logLevel: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
    /** Subscribes this address to the alarms' SNS topic (AWS mails a confirmation link first). */
    alarmEmail: z.email().optional(),
    /** The OldestOrderAge alarm fires when an order has waited longer than this. */
    oldestMessageAlarmSeconds: z.coerce.number().int().min(60).max(1_209_600).default(300),
    /**
     * An order whose value differs from its items' total: `reject` counts it failed (the original's
     * documented rule), `correct` counts it valid at the line total, as the original's code did.
     */
    valueMismatch: z.enum(VALUE_MISMATCH_POLICIES).default("reject"),
    /**
     * The most one order may be worth (stated, or its items' total); one worth more is a failed
     * order (`value_too_large`). The default admits every order the original's generator makes
     * (100 items x 100 x 1,500.00).
     */
    maxOrderValue: z.coerce
      .number()
      .positive()
      .max(10_000_000_000)
      .refine((value) => Math.round(value * 100) / 100 === value, "must have at most two decimals")
      .default(DEFAULT_JUDGING_RULES.maxOrderValueCents / 100),
    /** Orders dated before January 1 of this year (UTC) are failed orders (`date_out_of_range`)... */
    firstOrderYear: z.coerce.number().int().min(1).max(9999).default(DEFAULT_JUDGING_RULES.firstYear),
    /** ...and so are orders dated more than this many seconds after they were sent. */
    futureToleranceSeconds: z.coerce
      .number()
      .int()
      .min(0)
      .max(366 * 24 * 3600)
      .default(DEFAULT_JUDGING_RULES.futureToleranceMs / 1000),
    /** Days the order archive keeps a batch (0: for good). A rebuild restores only what it keeps. */
    archiveRetentionDays: z.coerce.number().int().min(0).max(36_500).default(0),
    /**
     * Object Lock on the archive: every version kept unchangeable for archiveObjectLockDays.
     * `governance` can be lifted by a principal with s3:BypassGovernanceRetention; `compliance`
     * by no one. Decided when the bucket is created: turning it on later needs a new bucket.
     */
    archiveObjectLock: z.enum(["off", "governance", "compliance"]).default("off"),
    archiveObjectLockDays: z.coerce.number().int().min(1).max(36_500).default(365),
    /**
     * The rebuild function's timeout: a rebuild longer than one invocation saves its place and
     * invokes itself again.
     */
    rebuildTimeoutSeconds: z.coerce.number().int().min(10).max(900).default(900),
  })
  .superRefine((p, ctx) => {
    if (p.redisUrl && redisUrlPassword(p.redisUrl)) {
      ctx.addIssue({
        code: "custom",
        path: ["redisUrl"],
        message:
          "carries a password, which would sit in plain text in the template and the functions' environment: store the URL in a Secrets Manager secret and pass -c redisSecretName=<its name>",
      });
    }
    if (p.redisUrl && p.redisSecretName) {
      ctx.addIssue({
        code: "custom",
        path: ["redisSecretName"],
        message: "give redisUrl or redisSecretName, not both",
      });
    }
    if (p.redisMode === "elasticache" && (p.redisUrl || p.redisSecretName)) {
      ctx.addIssue({
        code: "custom",
        path: ["redisMode"],
        message: "elasticache creates the stack's own cache: leave out redisUrl and redisSecretName",
      });
    }
  });

export type OrdersParameters = z.infer<typeof OrdersParametersSchema>;

function unknownParameter(name: string): string {
  const nearest = nearestName(name, STACK_PARAMETER_NAMES);
  return `${name}: no stack parameter has that name${nearest ? `; did you mean ${nearest}?` : ""}`;
}

/**
 * The password a redis:// URL carries, if any: in its user part (`redis://:pw@host`) or as a
 * query parameter (`?password=pw`, which ioredis honours too). The user name alone is no secret.
 */
function redisUrlPassword(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.password || parsed.searchParams.get("password") || "";
  } catch {
    return "";
  }
}

/** The parameters' names: what `-c name=value` may name. */
const STACK_PARAMETER_NAMES: readonly string[] = Object.keys(OrdersParametersSchema.shape);

/**
 * Reads the parameters from a context getter (e.g. `app.node.tryGetContext`). `givenNames`, the
 * names the context holds, are checked too: a name that is no parameter stops synth with the
 * nearest one (the CDK would ignore it, and a misspelt `batchsize` would deploy the default
 * unnoticed). CDK's own settings, whose names hold a colon (`@aws-cdk/core:...`), pass.
 */
export function parametersFromContext(
  get: (key: string) => unknown,
  givenNames: readonly string[] = [],
): OrdersParameters {
  const unknown = givenNames.filter((name) => !name.includes(":") && !STACK_PARAMETER_NAMES.includes(name));
  if (unknown.length > 0)
    throw new Error(
      `invalid stack parameters:\n${unknown.map((name) => `  -c ${unknownParameter(name)}`).join("\n")}`,
    );
  const raw = Object.fromEntries(STACK_PARAMETER_NAMES.map((key) => [key, get(key)]));
  const parsed = OrdersParametersSchema.safeParse(raw);
  if (!parsed.success) {
    // Each problem with the value given, as a person typed it (zod's "received NaN" hides "abc").
    const problems = describeIssues(parsed.error.issues).map((problem, i) => {
      const given = raw[String(parsed.error.issues[i]?.path[0])];
      return `  -c ${problem}${given === undefined ? "" : ` (given ${JSON.stringify(String(given))})`}`;
    });
    throw new Error(`invalid stack parameters:\n${problems.join("\n")}`);
  }
  return parsed.data;
}
