import { z } from "zod";
import { DEFAULT_LOG_MAX_LENGTH } from "../core/analytics-store";
import { describeIssues } from "../core/issues";
import { KeyPrefixSchema } from "../core/key-prefix";
import { type JudgingRules, VALUE_MISMATCH_POLICIES } from "../core/rules";

/**
 * Environment variables, parsed once per execution environment with zod. Entry files call
 * `parseEnv(schema, process.env)` at module scope and pass the typed result into factories, so a
 * misconfigured function fails at cold start with every problem named, not on some later request.
 * A variable the stack always sets has no default here (its default, if any, is the stack
 * parameter's, in lib/parameters.ts); only settings the stack leaves alone have one. Which
 * function reads which schema: the function table (functions.ts).
 */

const positiveInt = z.coerce.number().int().positive();

/** https://host/account/name. Not z.url(): WHATWG rejects hosts like sqs.us-east-1.127.0.0.1. */
const queueUrl = z.string().regex(/^https?:\/\/[^\s/]+\/\d+\/[\w-]+(?:\.fifo)?$/, "must be an SQS queue URL");

/** redis://host:port or rediss://host:port (TLS), with user and password when the server needs them. */
export const RedisUrlSchema = z.url({ protocol: /^rediss?$/ });

/** An optional name: unset and empty both mean "none". */
const optionalName = z
  .string()
  .optional()
  .transform((value) => value || undefined);

export const RedisEnvSchema = z.object({
  /** Where Redis is, when it needs no password (else REDIS_SECRET_ID): one of the two is set. */
  REDIS_URL: RedisUrlSchema.optional(),
  /**
   * A Secrets Manager secret holding the Redis URL (with its password), read at cold start
   * instead of REDIS_URL, so that no password sits in the template or the environment.
   */
  REDIS_SECRET_ID: optionalName,
  /**
   * How often a secret this environment holds (the Redis URL, the admin token) is read again, so a
   * rotation takes effect without a redeploy. Five minutes: a rotation with an overlap at least
   * that long (the old value kept valid meanwhile) goes unnoticed.
   */
  SECRET_REFRESH_SECONDS: positiveInt.default(300),
  /** `cluster` for a Redis Cluster (ElastiCache Serverless is one); `single` otherwise. */
  REDIS_MODE: z.enum(["single", "cluster"]),
  KEY_PREFIX: KeyPrefixSchema,
});
export type RedisEnv = z.infer<typeof RedisEnvSchema>;

/** How orders are judged (core/rules.ts): the consumer and the rebuild judge alike. */
const JudgingEnvSchema = z.object({
  MAX_ORDER_VALUE_CENTS: positiveInt,
  FIRST_ORDER_YEAR: z.coerce.number().int().min(1).max(9999),
  FUTURE_TOLERANCE_SECONDS: z.coerce.number().int().min(0),
});

/** The judging rules an environment sets; `valueMismatch` as given (the rebuild takes it from the archive). */
export function judgingRulesOf(
  env: z.infer<typeof JudgingEnvSchema>,
  valueMismatch: JudgingRules["valueMismatch"],
): JudgingRules {
  return {
    valueMismatch,
    maxOrderValueCents: env.MAX_ORDER_VALUE_CENTS,
    firstYear: env.FIRST_ORDER_YEAR,
    futureToleranceMs: env.FUTURE_TOLERANCE_SECONDS * 1000,
  };
}

/**
 * The order archive's authentication key (adapters/s3-archive.ts), which only the consumer and the
 * rebuild hold: a Secrets Manager secret (what the stack sets), or the key itself (tests,
 * benchmarks, your own runs). One of the two is needed wherever the archive is written or read.
 */
const ArchiveKeyEnvSchema = z.object({
  ARCHIVE_KEY_SECRET_ID: optionalName,
  ARCHIVE_KEY: optionalName,
});
export type ArchiveKeyEnv = z.infer<typeof ArchiveKeyEnvSchema>;

export const ConsumerEnvSchema = RedisEnvSchema.extend({
  ...JudgingEnvSchema.shape,
  /** The order queue: the consumer sets its retries' visibility there (per-message backoff). */
  QUEUE_URL: queueUrl,
  DLQ_URL: queueUrl,
  RETRY_BASE_SECONDS: positiveInt,
  RETRY_MAX_SECONDS: positiveInt,
  MARKER_TTL_SECONDS: positiveInt,
  LOG_MAX_LENGTH: positiveInt.default(DEFAULT_LOG_MAX_LENGTH),
  VALUE_MISMATCH: z.enum(VALUE_MISMATCH_POLICIES),
  /** The order archive's bucket: every settled message is written there before Redis counts it. */
  ARCHIVE_BUCKET: optionalName,
  ...ArchiveKeyEnvSchema.shape,
});

export const RebuildEnvSchema = RedisEnvSchema.extend({
  ...JudgingEnvSchema.shape,
  ARCHIVE_BUCKET: z.string().min(1),
  ...ArchiveKeyEnvSchema.shape,
  MARKER_TTL_SECONDS: positiveInt,
  LOG_MAX_LENGTH: positiveInt.default(DEFAULT_LOG_MAX_LENGTH),
});

const HttpEnvSchema = z.object({
  /** Request bodies above this are refused with 413 (API Gateway's own limit is 10 MB). */
  BODY_LIMIT_BYTES: positiveInt.default(1024 * 1024),
});

export const ProducerEnvSchema = HttpEnvSchema.extend({
  QUEUE_URL: queueUrl,
  /** `off`: POST /produce answers 404 and makes no order (stack parameter produce). */
  PRODUCE: z.enum(["on", "off"]),
});

/** The docs function: how the deployment protects its routes, for the OpenAPI document it serves. */
export const DocsEnvSchema = HttpEnvSchema.extend({
  ADMIN_AUTH: z.enum(["token", "off"]),
  WRITE_AUTH: z.enum(["apiKey", "open"]),
});

export const StatsEnvSchema = RedisEnvSchema.extend({
  ...HttpEnvSchema.shape,
  QUEUE_URL: queueUrl,
  DLQ_URL: queueUrl,
});

/** arn:aws:sqs:region:account:name */
const queueArn = z
  .string()
  .regex(/^arn:[\w-]+:sqs:[\w-]+:\d+:[\w-]+(?:\.fifo)?$/, "must be an SQS queue ARN");

export const AdminEnvSchema = RedisEnvSchema.extend({
  ...HttpEnvSchema.shape,
  /** The order queue and its dead-letter queue: reading and redriving dead letters. */
  QUEUE_URL: queueUrl,
  QUEUE_ARN: queueArn,
  DLQ_URL: queueUrl,
  DLQ_ARN: queueArn,
  /**
   * Where the admin token is: a Secrets Manager secret (what the stack sets), or the token itself
   * (tests, your own runs). With either, `DELETE /clear_redis_db` needs `Authorization: Bearer <token>`;
   * with neither, the function refuses to start, unless ADMIN_AUTH=off says in so many words that
   * anyone may clear the data.
   */
  ADMIN_AUTH: z.enum(["token", "off"]),
  ADMIN_TOKEN_SECRET_ID: optionalName,
  ADMIN_TOKEN: optionalName,
  /** The archive and the function that rebuilds the analytics from it (POST /admin/rebuild). */
  ARCHIVE_BUCKET: optionalName,
  REBUILD_FUNCTION_NAME: optionalName,
});

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment or throws one error naming every bad or missing variable. */
export function parseEnv<Schema extends z.ZodType>(
  schema: Schema,
  env: Record<string, string | undefined>,
): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(`invalid configuration: ${describeIssues(result.error.issues).join("; ")}`);
}
