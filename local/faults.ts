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

export interface Faults {
  duplicateDelivery: boolean;
  crashConsumerRate: number;
  redisLatencyMs: number;
  redisDropEveryMs: number;
  sqsSendFailureRate: number;
  archiveWriteFailureRate: number;
}

export const NO_FAULTS: Faults = {
  duplicateDelivery: false,
  crashConsumerRate: 0,
  redisLatencyMs: 0,
  redisDropEveryMs: 0,
  sqsSendFailureRate: 0,
  archiveWriteFailureRate: 0,
};

// Parsed by hand rather than with zod: six numbers do not need it, and local mode's main process
// stays lighter without it (zod is the functions' business).
export function faultsFromEnv(env: Record<string, string | undefined>): Faults {
  const problems: string[] = [];
  const number = (name: string, check: (value: number) => boolean, expected: string): number => {
    const text = env[name];
    if (text === undefined || text === "") return 0;
    const value = Number(text);
    if (check(value)) return value;
    problems.push(`${name}: expected ${expected}, not ${JSON.stringify(text)}`);
    return 0;
  };
  const rate = (name: string) => number(name, (v) => v >= 0 && v <= 1, "a number from 0 to 1");
  const ms = (name: string) => number(name, (v) => Number.isInteger(v) && v >= 0, "a whole number of ms");
  const flag = env.FAULT_DUPLICATE_DELIVERY ?? "";
  if (!["", "0", "1", "true", "false"].includes(flag))
    problems.push(`FAULT_DUPLICATE_DELIVERY: expected 0, 1, true or false, not ${JSON.stringify(flag)}`);
  const faults: Faults = {
    duplicateDelivery: flag === "1" || flag === "true",
    crashConsumerRate: rate("FAULT_CRASH_CONSUMER"),
    redisLatencyMs: ms("FAULT_REDIS_LATENCY_MS"),
    redisDropEveryMs: ms("FAULT_REDIS_DROP_EVERY_MS"),
    sqsSendFailureRate: rate("FAULT_SQS_SEND_FAILURE_RATE"),
    archiveWriteFailureRate: rate("FAULT_ARCHIVE_WRITE_FAILURE_RATE"),
  };
  if (problems.length > 0) throw new Error(`invalid FAULT_* settings: ${problems.join("; ")}`);
  return faults;
}

/** The faults that are on, as `name=value` for the start-up banner. */
export function describeFaults(faults: Faults): string[] {
  return Object.entries(faults)
    .filter(([, value]) => value !== false && value !== 0)
    .map(([name, value]) => `${name}=${value}`);
}
