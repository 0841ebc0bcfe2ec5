import { Duration } from "aws-cdk-lib";
import type { IFunction, Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

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

  /** Lets `fn` send orders, and tells it where (QUEUE_URL). */
  allowSending(fn: LambdaFunction): void {
    this.queue.grantSendMessages(fn);
    fn.addEnvironment("QUEUE_URL", this.queue.queueUrl);
  }

  /** Lets `fn` read both queues' depths (QUEUE_URL, DLQ_URL), for health and the dashboard. */
  allowDepthReads(fn: LambdaFunction): void {
    this.queue.grant(fn, "sqs:GetQueueAttributes");
    this.deadLetterQueue.grant(fn, "sqs:GetQueueAttributes");
    fn.addEnvironment("QUEUE_URL", this.queue.queueUrl);
    fn.addEnvironment("DLQ_URL", this.deadLetterQueue.queueUrl);
  }

  /** Lets `fn` read the dead letters and move them back (SQS's move task, or receive, send, delete). */
  allowDeadLetterAdmin(fn: LambdaFunction): void {
    this.deadLetterQueue.grantConsumeMessages(fn);
    this.deadLetterQueue.grant(fn, "sqs:StartMessageMoveTask", "sqs:ListMessageMoveTasks");
    this.queue.grantSendMessages(fn);
    fn.addEnvironment("QUEUE_URL", this.queue.queueUrl);
    fn.addEnvironment("QUEUE_ARN", this.queue.queueArn);
    fn.addEnvironment("DLQ_URL", this.deadLetterQueue.queueUrl);
    fn.addEnvironment("DLQ_ARN", this.deadLetterQueue.queueArn);
  }

  /**
   * Makes `fn` the consumer: an event source mapping with partial batch responses, plus sending
   * dead letters (DLQ_URL) and markers that outlive the queue's retention (MARKER_TTL_SECONDS).
   */
  attachConsumer(fn: LambdaFunction & IFunction, settings: ConsumerSettings): void {
    // Checked before the mapping exists, so the message names our parameters and every problem at once.
    const problems = [
      ...this.queueRules(),
      ...consumerRules(settings, fn.timeout ?? Duration.seconds(3), this.props.consumerTimeout),
    ];
    if (problems.length > 0) {
      throw new Error(`the order queue breaks AWS's rules:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
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
    this.deadLetterQueue.grantSendMessages(fn);
    fn.addEnvironment("DLQ_URL", this.deadLetterQueue.queueUrl);
    fn.addEnvironment("MARKER_TTL_SECONDS", String(this.props.retention.toSeconds()));
    // The mapping's grants include sqs:ChangeMessageVisibility, which the backoff uses.
    fn.addEnvironment("QUEUE_URL", this.queue.queueUrl);
    fn.addEnvironment("RETRY_BASE_SECONDS", String(settings.retryBaseSeconds));
    fn.addEnvironment("RETRY_MAX_SECONDS", String(settings.retryMaxSeconds));
  }

  private queueRules(): string[] {
    const errors: string[] = [];
    if (this.props.maxReceiveCount < MIN_MAX_RECEIVE_COUNT) {
      errors.push(
        `maxReceiveCount is ${this.props.maxReceiveCount}: use at least ${MIN_MAX_RECEIVE_COUNT}, so that throttled or briefly failing batches are retried before they are dead-lettered`,
      );
    }
    return errors;
  }
}

/** AWS's rules for an SQS event source mapping, as messages naming the fix. */
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
