import { randomUUID } from "node:crypto";
import type { SQSRecord } from "aws-lambda";

/** Fixture factories: SQS records as Lambda's event source mapping delivers them. */

let sequence = 0;

/** One SQS record with this body; pass a messageId to model a redelivery of the same message. */
export function sqsRecord(body: string, messageId: string = randomUUID()): SQSRecord {
  sequence++;
  return {
    messageId,
    receiptHandle: `receipt-${sequence}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(Date.now()),
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:orders",
    awsRegion: "us-east-1",
  };
}

/** Records for these bodies (objects are JSON-encoded, strings sent as they are). */
export function sqsRecords(...bodies: (string | object)[]): SQSRecord[] {
  return bodies.map((body) => sqsRecord(typeof body === "string" ? body : JSON.stringify(body)));
}
