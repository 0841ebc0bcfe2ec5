import type { EnvironmentOf } from "../lambdas/shared/functions";
import { VISIBILITY_TO_TIMEOUT_RATIO } from "./constructs/order-queue";
import { type OrdersParameters, parametersFromContext } from "./parameters";

/**
 * The functions' settings the stack derives from its parameters (beyond where things are), in one
 * place: the stack sets them, and tests and benchmarks that run a function outside a stack take
 * the same values (`defaultConsumerEnvironment`).
 */

/** The longest per-message backoff unless retryMaxSeconds says otherwise (or the visibility timeout is shorter). */
const DEFAULT_RETRY_MAX_SECONDS = 60;

/** The consumer's event source mapping and backoff. */
export function consumerSettingsOf(params: OrdersParameters) {
  return {
    batchSize: params.batchSize,
    batchingWindowSeconds: params.batchingWindowSeconds,
    maxConcurrency: params.maxConcurrency,
    retryBaseSeconds: params.retryBaseSeconds,
    retryMaxSeconds:
      params.retryMaxSeconds ??
      Math.min(DEFAULT_RETRY_MAX_SECONDS, params.consumerTimeoutSeconds * VISIBILITY_TO_TIMEOUT_RATIO),
  };
}

/** How orders are judged beyond the seed's rules: the consumer and the rebuild must judge alike. */
export function judgingEnvironment(
  params: OrdersParameters,
): Pick<
  EnvironmentOf<"consumer">,
  "MAX_ORDER_VALUE_CENTS" | "FIRST_ORDER_YEAR" | "FUTURE_TOLERANCE_SECONDS"
> {
  return {
    MAX_ORDER_VALUE_CENTS: String(Math.round(params.maxOrderValue * 100)),
    FIRST_ORDER_YEAR: String(params.firstOrderYear),
    FUTURE_TOLERANCE_SECONDS: String(params.futureToleranceSeconds),
  };
}

/**
 * What the stack tells the consumer at its default parameters, but where the queues and Redis
 * are: for running the consumer's entry file outside a stack (tests, benchmarks).
 */
export function defaultConsumerEnvironment(): Partial<EnvironmentOf<"consumer">> {
  const params = parametersFromContext(() => undefined);
  const settings = consumerSettingsOf(params);
  return {
    ...judgingEnvironment(params),
    VALUE_MISMATCH: params.valueMismatch,
    MARKER_TTL_SECONDS: String(params.queueRetentionSeconds),
    RETRY_BASE_SECONDS: String(settings.retryBaseSeconds),
    RETRY_MAX_SECONDS: String(settings.retryMaxSeconds),
    REDIS_MODE: "single",
  };
}
