import { Queue } from "aws-cdk-lib/aws-sqs";
import { describe, expect, it } from "vitest";
import { unacknowledgedNagFindings } from "./synth";

/**
 * cdk-nag's AWS Solutions rules over every shape the stack takes: no finding may be left
 * unacknowledged, and every acknowledgement sits next to its resource with its reason in words.
 */

const VARIANTS: Record<string, Record<string, string>> = {
  default: {},
  "redisMode=elasticache": { redisMode: "elasticache" },
  "redisSecretName and adminTokenSecretName": {
    redisSecretName: "orders/redis-url",
    adminTokenSecretName: "orders/admin",
  },
  "adminAuth=off, alarmEmail": { adminAuth: "off", alarmEmail: "ops@example.com" },
};

describe("cdk-nag (AwsSolutionsChecks)", () => {
  it.each(Object.entries(VARIANTS))("finds nothing unacknowledged in the %s stack", (_name, context) => {
    expect(unacknowledgedNagFindings(context)).toEqual([]);
  });

  it("reports a finding nobody acknowledged (the check can fail)", () => {
    const findings = unacknowledgedNagFindings({}, (stack) => new Queue(stack, "QueueWithoutDeadLetters"));
    expect(findings).toContainEqual(expect.stringMatching(/AwsSolutions-SQS3 at .*QueueWithoutDeadLetters/));
  });
});
