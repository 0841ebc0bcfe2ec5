import { Duration } from "aws-cdk-lib";
import type { IFunction, Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { EnvironmentOf } from "../../lambdas/shared/functions";

/**
 * The order queue, its dead-letter queue, and the consumer's event source mapping. AWS's rules
 * for the three are checked here at synth, so a stack that breaks one never deploys.
 */

export interface OrderQueueProps {
  /** How long the consumer may run; the visibility timeout is six times this. */
  consumerTimeout: Duration;
  retention: Duration;
  maxReceiveCount: number;
}

export interface ConsumerSettings {
  batchSize: number;
  batchingWindowSeconds: number;
  maxConcurrency: number;
  /** Per-message backoff of the records the consumer reports for retry. */
  retryBaseSeconds: number;
  retryMaxSeconds: number;
}

/** AWS's guidance: visibility timeout at least six times the function timeout. */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;
const MIN_MAX_RECEIVE_COUNT = 5;
const DLQ_RETENTION = Duration.days(14);

export class OrderQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  private readonly props: OrderQueueProps;

  constructor(scope: Construct, id: string, props: OrderQueueProps) {
    super(scope, id);
    this.props = props;
    this.deadLetterQueue = new Queue(this, "DeadLetters", {
      retentionPeriod: DLQ_RETENTION,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new Queue(this, "Orders", {
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_TO_TIMEOUT_RATIO),
      retentionPeriod: props.retention,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }

  /** Lets `fn` send orders. */
  allowSending(fn: LambdaFunction): void {
    this.queue.grantSendMessages(fn);
  }

  /** Lets `fn` read both queues' depths, for health and the dashboard. */
  allowDepthReads(fn: LambdaFunction): void {
    this.queue.grant(fn, "sqs:GetQueueAttributes");
    this.deadLetterQueue.grant(fn, "sqs:GetQueueAttributes");
  }

  /** Lets `fn` read the dead letters and move them back (SQS's move task, or receive, send, delete). */
  allowDeadLetterAdmin(fn: LambdaFunction): void {
    this.deadLetterQueue.grantConsumeMessages(fn);
    this.deadLetterQueue.grant(fn, "sqs:StartMessageMoveTask", "sqs:ListMessageMoveTasks");
    this.queue.grantSendMessages(fn);
  }

  /**
   * Makes `fn` the consumer: an event source mapping with partial batch responses, and sending
   * dead letters. Its environment (`consumerEnvironment`) says where, and how long markers live.
   */
  attachConsumer(fn: LambdaFunction & IFunction, settings: ConsumerSettings): void {
    // Checked before the mapping exists, so the message names our parameters and every problem at once.
    const problems = [
      ...this.queueRules(),
      ...consumerRules(settings, fn.timeout ?? Duration.seconds(3), this.props.consumerTimeout),
    ];
    if (problems.length > 0) {
      throw new Error(
        `the order queue's settings do not fit AWS's limits or the consumer's needs:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      );
    }
    fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: settings.batchSize,
        maxBatchingWindow:
          settings.batchingWindowSeconds > 0 ? Duration.seconds(settings.batchingWindowSeconds) : undefined,
        maxConcurrency: settings.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // The mapping's grants include sqs:ChangeMessageVisibility, which the backoff uses.
    this.deadLetterQueue.grantSendMessages(fn);
  }

  /**
   * What the consumer reads about the queues: where they are, its per-message backoff, and how
   * long an exactly-once marker lives (as long as the queue keeps a message).
   */
  consumerEnvironment(
    settings: ConsumerSettings,
  ): Pick<
    EnvironmentOf<"consumer">,
    "QUEUE_URL" | "DLQ_URL" | "MARKER_TTL_SECONDS" | "RETRY_BASE_SECONDS" | "RETRY_MAX_SECONDS"
  > {
    return {
      QUEUE_URL: this.queue.queueUrl,
      DLQ_URL: this.deadLetterQueue.queueUrl,
      MARKER_TTL_SECONDS: String(this.props.retention.toSeconds()),
      RETRY_BASE_SECONDS: String(settings.retryBaseSeconds),
      RETRY_MAX_SECONDS: String(settings.retryMaxSeconds),
    };
  }

  private queueRules(): string[] {
    const errors: string[] = [];
    if (this.props.maxReceiveCount < MIN_MAX_RECEIVE_COUNT) {
      errors.push(
        `maxReceiveCount is ${this.props.maxReceiveCount}: use at least ${MIN_MAX_RECEIVE_COUNT} (AWS's advice for a queue a Lambda function reads), so that throttled or briefly failing batches are retried before they are dead-lettered`,
      );
    }
    return errors;
  }
}

/** AWS's limits for an SQS event source mapping, and what the consumer's backoff needs, as messages naming the fix. */
function consumerRules(
  settings: ConsumerSettings,
  functionTimeout: Duration,
  queueSizedFor: Duration,
): string[] {
  const errors: string[] = [];
  if (settings.batchSize > 10 && settings.batchingWindowSeconds < 1) {
    errors.push(
      `batchSize ${settings.batchSize} needs a batching window of at least 1 second (AWS allows more than 10 records per batch only with MaximumBatchingWindowInSeconds >= 1)`,
    );
  }
  if (settings.maxConcurrency < 2 || settings.maxConcurrency > 1000) {
    errors.push(`maxConcurrency ${settings.maxConcurrency} must be between 2 and 1000`);
  }
  const visibility = queueSizedFor.toSeconds() * VISIBILITY_TO_TIMEOUT_RATIO;
  if (settings.retryBaseSeconds > settings.retryMaxSeconds) {
    errors.push(
      `retryBaseSeconds (${settings.retryBaseSeconds}) must not exceed retryMaxSeconds (${settings.retryMaxSeconds})`,
    );
  }
  if (settings.retryMaxSeconds > visibility) {
    errors.push(
      `retryMaxSeconds (${settings.retryMaxSeconds} s) must not exceed the queue's visibility timeout (${visibility} s): a retry would wait longer than no backoff at all`,
    );
  }
  if (visibility < functionTimeout.toSeconds() * VISIBILITY_TO_TIMEOUT_RATIO) {
    errors.push(
      `the queue's visibility timeout (${visibility} s) must be at least ${VISIBILITY_TO_TIMEOUT_RATIO}x the consumer's timeout (${functionTimeout.toSeconds()} s)`,
    );
  }
  return errors;
}
