import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { METRIC, METRICS_NAMESPACE } from "../../lambdas/shared/metrics";
import { resourcesOf, synthTemplate } from "./synth";

/** Alarms to an SNS topic, and a CloudWatch dashboard of the pipeline. */

const template = synthTemplate();
const topicRef = () => ({ Ref: resourcesOf(template, "AWS::SNS::Topic")[0]?.[0] });
const alarms = () =>
  Object.fromEntries(
    resourcesOf(template, "AWS::CloudWatch::Alarm").map(([id, alarm]) => [
      id.replace(/^Monitoring/, "").replace(/[0-9A-F]{8}$/, ""),
      alarm.Properties,
    ]),
  );

describe("alarms", () => {
  it("watch the dead letters, the oldest order, consumer errors and throttles, and the API's 5xx rate", () => {
    expect(Object.keys(alarms()).sort()).toEqual([
      "Api5xxRate",
      "ConsumerErrors",
      "ConsumerThrottles",
      "DeadLetters",
      "OldestOrderAge",
    ]);
  });

  it.each([
    ["DeadLetters", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", 0],
    ["OldestOrderAge", "AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum", 300],
    ["ConsumerErrors", "AWS/Lambda", "Errors", "Sum", 0],
    ["ConsumerThrottles", "AWS/Lambda", "Throttles", "Sum", 0],
    ["Api5xxRate", "AWS/ApiGateway", "5XXError", "Average", 0.01],
  ])(
    "%s: %s %s (%s) above %s, to the topic, saying what to do",
    (name, namespace, metric, statistic, threshold) => {
      const alarm = alarms()[name];
      expect(alarm).toMatchObject({
        Namespace: namespace,
        MetricName: metric,
        Statistic: statistic,
        Threshold: threshold,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching",
        AlarmActions: [topicRef()],
        OKActions: [topicRef()],
      });
      expect(String(alarm?.AlarmDescription).length).toBeGreaterThan(80);
    },
  );

  it("take the oldest-order threshold from a parameter", () => {
    const custom = synthTemplate({ oldestMessageAlarmSeconds: "900" });
    custom.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateAgeOfOldestMessage",
      Threshold: 900,
    });
  });

  it("go to a topic that requires TLS; alarmEmail subscribes an address", () => {
    template.resourceCountIs("AWS::SNS::Topic", 1);
    template.resourceCountIs("AWS::SNS::Subscription", 0);
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
    const mailed = synthTemplate({ alarmEmail: "ops@example.com" });
    mailed.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "ops@example.com",
    });
    expect(Object.keys(template.findOutputs("AlarmTopicArn"))).toEqual(["AlarmTopicArn"]);
  });
});

describe("the CloudWatch dashboard", () => {
  const body = () =>
    JSON.stringify(resourcesOf(template, "AWS::CloudWatch::Dashboard")[0]?.[1].Properties.DashboardBody);

  it("shows orders per minute by outcome from the functions' own metrics", () => {
    expect(body()).toContain("Orders per minute by outcome");
    for (const name of [
      METRIC.ordersValid,
      METRIC.ordersFailed,
      METRIC.ordersDuplicate,
      METRIC.ordersMalformed,
    ]) {
      expect(body()).toContain(`\\"${METRICS_NAMESPACE}\\",\\"${name}\\"`);
    }
  });

  it("shows the queue's depth and age, dead letters, consumer duration p50/p99, API latency and 4xx/5xx", () => {
    for (const text of [
      "ApproximateNumberOfMessagesVisible",
      "ApproximateAgeOfOldestMessage",
      "Dead letters",
      "Consumer duration",
      '\\"stat\\":\\"p99\\"',
      "API latency",
      "4XXError",
      "5XXError",
    ]) {
      expect(body()).toContain(text);
    }
  });
});
