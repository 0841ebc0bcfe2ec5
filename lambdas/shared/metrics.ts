import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

/**
 * The pipeline's CloudWatch metrics, written as Embedded Metric Format lines on stdout (CloudWatch
 * turns them into metrics; local mode prints them readably). One namespace; the `service`
 * dimension is POWERTOOLS_SERVICE_NAME. The stack's alarms and dashboard read these names.
 */

export const METRICS_NAMESPACE = "OrdersPipeline";

export const METRIC = {
  /** Consumer, per batch: orders counted valid now. */
  ordersValid: "OrdersValid",
  /** Failed orders (rule broken or malformed); also per `reason` in OrdersFailedByReason. */
  ordersFailed: "OrdersFailed",
  ordersFailedByReason: "OrdersFailedByReason",
  /** Messages repeating an order id already counted. */
  ordersDuplicate: "OrdersDuplicate",
  /** Messages that were not orders at all (sent to the dead-letter queue). */
  ordersMalformed: "OrdersMalformed",
  /** Messages reported for redelivery (Redis or the DLQ unavailable). */
  ordersRetried: "OrdersRetried",
  batchSize: "BatchSize",
  batchDuration: "BatchDuration",
  /** Producer: orders put on the queue, and orders a request could not queue. */
  ordersQueued: "OrdersQueued",
  ordersNotQueued: "OrdersNotQueued",
} as const;

/** The failure reasons are a closed set, so they may be a dimension (bounded cardinality). */
const REASON_DIMENSION = "reason";

export function createMetrics(): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE });
}

/** What one consumer batch did, for its metrics. */
export interface BatchReport {
  size: number;
  valid: number;
  failedByReason: Record<string, number>;
  duplicates: number;
  malformed: number;
  retried: number;
  durationMs: number;
}

/** One EMF line for the batch, plus one per failure reason that occurred. */
export function publishBatchMetrics(metrics: Metrics, report: BatchReport): void {
  const failed = Object.values(report.failedByReason).reduce((sum, n) => sum + n, 0);
  metrics.addMetric(METRIC.ordersValid, MetricUnit.Count, report.valid);
  metrics.addMetric(METRIC.ordersFailed, MetricUnit.Count, failed);
  metrics.addMetric(METRIC.ordersDuplicate, MetricUnit.Count, report.duplicates);
  metrics.addMetric(METRIC.ordersMalformed, MetricUnit.Count, report.malformed);
  metrics.addMetric(METRIC.ordersRetried, MetricUnit.Count, report.retried);
  metrics.addMetric(METRIC.batchSize, MetricUnit.Count, report.size);
  metrics.addMetric(METRIC.batchDuration, MetricUnit.Milliseconds, report.durationMs);
  metrics.publishStoredMetrics();
  for (const [reason, count] of Object.entries(report.failedByReason)) {
    // One line per reason that occurred (publishing clears the dimension again). The same instance
    // each time: singleMetric() would build a new Metrics per line, a tenth of a small batch's time.
    metrics.addDimension(REASON_DIMENSION, reason);
    metrics.addMetric(METRIC.ordersFailedByReason, MetricUnit.Count, count);
    metrics.publishStoredMetrics();
  }
}

/** One EMF line per enqueue request. */
export function publishEnqueueMetrics(metrics: Metrics, queued: number, notQueued: number): void {
  metrics.addMetric(METRIC.ordersQueued, MetricUnit.Count, queued);
  metrics.addMetric(METRIC.ordersNotQueued, MetricUnit.Count, notQueued);
  metrics.publishStoredMetrics();
}
