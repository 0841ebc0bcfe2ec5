import { Duration, Validations } from "aws-cdk-lib";
import type { RestApi } from "aws-cdk-lib/aws-apigateway";
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  SingleValueWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { METRIC, METRICS_NAMESPACE } from "../../lambdas/shared/metrics";

/**
 * What an operator needs without reading logs: alarms (to an SNS topic, optionally mailed) on the
 * few signs that orders are not flowing or are piling up, and a CloudWatch dashboard of the
 * pipeline. Each alarm's description says what it means and what to do (README: Operating).
 */

export interface MonitoringProps {
  queue: Queue;
  deadLetterQueue: Queue;
  consumer: LambdaFunction;
  api: RestApi;
  /** POWERTOOLS_SERVICE_NAME of the functions: the `service` dimension of their metrics. */
  serviceName: string;
  /** Alarm when the oldest waiting order is older than this. */
  oldestMessageAlarmSeconds: number;
  alarmEmail?: string | undefined;
}

/** The API's 5xx answers, as a share of its requests, above which the alarm fires. */
const API_5XX_RATE_THRESHOLD = 0.01;

export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new Topic(this, "Alarms", { displayName: "Orders pipeline alarms", enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: "AwsSolutions-SNS2",
      reason:
        "Alarm notifications carry alarm names and states only. CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key; a customer managed key (about $1 a month) can be added where policy requires it.",
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.addAlarms(props);
    this.dashboard = this.buildDashboard(props);
  }

  /** The alarms: each says what it means and what to do, in its description. */
  private addAlarms(props: MonitoringProps): void {
    const minute = Duration.minutes(1);
    const fiveMinutes = Duration.minutes(5);
    this.alarm("DeadLetters", {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: minute,
        statistic: "Maximum",
      }),
      threshold: 0,
      evaluationPeriods: 1,
      description:
        "Messages are waiting in the dead-letter queue: malformed orders (their reason is in the message attributes) or orders that failed maxReceiveCount times. Read them (aws sqs receive-message --message-attribute-names All), fix the cause, then redrive or delete them.",
    });
    this.alarm("OldestOrderAge", {
      metric: props.queue.metricApproximateAgeOfOldestMessage({ period: minute, statistic: "Maximum" }),
      threshold: props.oldestMessageAlarmSeconds,
      evaluationPeriods: 3,
      description: `An order has waited more than ${props.oldestMessageAlarmSeconds} s in the queue for 3 minutes: the consumer is failing or falling behind. Check the ConsumerErrors and ConsumerThrottles alarms and GET /health (Redis reachable?); if it is only slow, raise maxConcurrency or batchSize.`,
    });
    this.alarm("ConsumerErrors", {
      metric: props.consumer.metricErrors({ period: fiveMinutes, statistic: "Sum" }),
      threshold: 0,
      evaluationPeriods: 1,
      description:
        "The consumer failed whole batches (it throws only when no record of a batch could be stored, usually because Redis is unreachable). SQS redelivers them; nothing is lost until maxReceiveCount. Check GET /health and the consumer's logs.",
    });
    this.alarm("ConsumerThrottles", {
      metric: props.consumer.metricThrottles({ period: fiveMinutes, statistic: "Sum" }),
      threshold: 0,
      evaluationPeriods: 1,
      description:
        "Lambda throttled the consumer: the account's or the function's concurrency is exhausted. Orders wait in the queue and are retried. Raise the account's concurrency quota or lower other functions' use.",
    });
    this.alarm("Api5xxRate", {
      metric: props.api.metricServerError({ period: fiveMinutes, statistic: "Average" }),
      threshold: API_5XX_RATE_THRESHOLD,
      evaluationPeriods: 1,
      description: `More than ${API_5XX_RATE_THRESHOLD * 100}% of API requests answered 5xx over 5 minutes: a dependency is down (503: SQS or Redis) or a function fails (500, 502). Check GET /health and the functions' logs.`,
    });
  }

  /** The CloudWatch dashboard: orders by outcome, the queues, the consumer's and the API's latency. */
  private buildDashboard(props: MonitoringProps): Dashboard {
    const minute = Duration.minutes(1);
    const dashboard = new Dashboard(this, "Dashboard", { defaultInterval: Duration.hours(3) });
    const ordersMetric = (name: string, label: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: props.serviceName },
        statistic: "Sum",
        period: minute,
        label,
      });
    dashboard.addWidgets(
      graph("Orders per minute by outcome", [
        ordersMetric(METRIC.ordersValid, "valid"),
        ordersMetric(METRIC.ordersFailed, "failed"),
        ordersMetric(METRIC.ordersDuplicate, "duplicate"),
        ordersMetric(METRIC.ordersMalformed, "malformed"),
        ordersMetric(METRIC.ordersRetried, "retried"),
      ]),
      graph(
        "Order queue: depth and age of the oldest",
        [
          props.queue.metricApproximateNumberOfMessagesVisible({ period: minute, label: "waiting" }),
          props.queue.metricApproximateNumberOfMessagesNotVisible({ period: minute, label: "in flight" }),
        ],
        [props.queue.metricApproximateAgeOfOldestMessage({ period: minute, label: "oldest (s)" })],
      ),
      new SingleValueWidget({
        title: "Dead letters",
        metrics: [props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: minute })],
        width: 6,
      }),
    );
    dashboard.addWidgets(
      graph("Consumer duration (ms)", [
        props.consumer.metricDuration({ period: minute, statistic: "p50", label: "p50" }),
        props.consumer.metricDuration({ period: minute, statistic: "p99", label: "p99" }),
      ]),
      graph("API latency (ms)", [
        props.api.metricLatency({ period: minute, statistic: "p50", label: "p50" }),
        props.api.metricLatency({ period: minute, statistic: "p99", label: "p99" }),
      ]),
      graph("API answers per minute", [
        props.api.metricCount({ period: minute, statistic: "Sum", label: "requests" }),
        props.api.metricClientError({ period: minute, statistic: "Sum", label: "4xx" }),
        props.api.metricServerError({ period: minute, statistic: "Sum", label: "5xx" }),
      ]),
      graph("Producer: orders per minute", [
        ordersMetric(METRIC.ordersQueued, "queued"),
        ordersMetric(METRIC.ordersNotQueued, "not queued"),
      ]),
    );
    return dashboard;
  }

  private alarm(
    id: string,
    options: { metric: IMetric; threshold: number; evaluationPeriods: number; description: string },
  ) {
    const alarm = new Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

function graph(title: string, left: IMetric[], right: IMetric[] = []): GraphWidget {
  return new GraphWidget({ title, left, right, width: right.length > 0 ? 9 : 6 });
}
