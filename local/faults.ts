import { z } from "zod";
import { describeIssues } from "../lambdas/core/issues.ts";

/**
 * The fault switchboard: faults local mode can inject so that you can see your change keep its
 * guarantees (no order lost, none counted twice) under redelivery, crashes and flaky
 * dependencies. All off by default; turn them on with environment variables:
 *
 *   FAULT_DUPLICATE_DELIVERY=1        deliver every consumer batch twice
 *   FAULT_CRASH_CONSUMER=0.1          kill the consumer's environment mid-batch in this share of batches
 *   FAULT_REDIS_LATENCY_MS=5          delay every packet between the functions and Redis
 *   FAULT_REDIS_DROP_EVERY_MS=2000    cut every function connection to Redis this often
 *   FAULT_SQS_SEND_FAILURE_RATE=0.1   fail this share of the functions' SendMessageBatch entries
 *   FAULT_ARCHIVE_WRITE_FAILURE_RATE=0.2  refuse this share of the consumer's archive objects
 */

const rate = z.coerce.number().min(0).max(1).default(0);
const ms = z.coerce.number().int().min(0).default(0);

export const FaultsSchema = z.object({
  duplicateDelivery: z
    .union([z.boolean(), z.enum(["0", "1", "true", "false", ""]).transform((v) => v === "1" || v === "true")])
    .default(false),
  crashConsumerRate: rate,
  redisLatencyMs: ms,
  redisDropEveryMs: ms,
  sqsSendFailureRate: rate,
  archiveWriteFailureRate: rate,
});

export type Faults = z.infer<typeof FaultsSchema>;

export const NO_FAULTS: Faults = FaultsSchema.parse({});

export function faultsFromEnv(env: Record<string, string | undefined>): Faults {
  const parsed = FaultsSchema.safeParse({
    duplicateDelivery: env.FAULT_DUPLICATE_DELIVERY,
    crashConsumerRate: env.FAULT_CRASH_CONSUMER,
    redisLatencyMs: env.FAULT_REDIS_LATENCY_MS,
    redisDropEveryMs: env.FAULT_REDIS_DROP_EVERY_MS,
    sqsSendFailureRate: env.FAULT_SQS_SEND_FAILURE_RATE,
    archiveWriteFailureRate: env.FAULT_ARCHIVE_WRITE_FAILURE_RATE,
  });
  if (!parsed.success) {
    throw new Error(`invalid FAULT_* settings: ${describeIssues(parsed.error.issues).join("; ")}`);
  }
  return parsed.data;
}

/** The faults that are on, as `name=value` for the start-up banner. */
export function describeFaults(faults: Faults): string[] {
  return Object.entries(faults)
    .filter(([, value]) => value !== false && value !== 0)
    .map(([name, value]) => `${name}=${value}`);
}
