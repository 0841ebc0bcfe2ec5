import { createServer } from "node:net";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedAws, startEmbeddedAws } from "../../local/embedded-aws";
import { localS3Client } from "../support/sqs";

/** The embedded SQS and S3 server, in its own thread: what local/embedded-aws.ts asks of it by message. */

describe("the embedded SQS and S3 server", () => {
  let sqs: EmbeddedAws;
  beforeAll(async () => {
    sqs = await startEmbeddedAws();
  });
  afterAll(() => sqs.stop());

  it("creates queues with their attributes and buckets, which the SDK then finds over HTTP", async () => {
    const { queueUrl, queueArn } = await sqs.createQueue("attributes", { VisibilityTimeout: "17" });
    expect(queueArn).toMatch(/^arn:aws:sqs:us-east-1:000000000000:attributes$/);
    const { Attributes } = await sqs.client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["VisibilityTimeout"] }),
    );
    expect(Attributes?.VisibilityTimeout).toBe("17");

    const bucket = await sqs.createBucket("embedded-server-test");
    const s3 = localS3Client(sqs.endpoint);
    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
    s3.destroy();
  });

  it("reports a refused operation as an error", async () => {
    await expect(sqs.createBucket("Not A Valid Name")).rejects.toThrow();
  });
});

it("refuses a port that is taken with EADDRINUSE, and a later start on it works once it is free", async () => {
  const taken = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => taken.once("listening", resolve));
  const port = (taken.address() as { port: number }).port;
  await expect(startEmbeddedAws(port)).rejects.toMatchObject({ code: "EADDRINUSE" });
  await new Promise((resolve) => taken.close(resolve));
  const server = await startEmbeddedAws(port);
  expect(server.endpoint).toBe(`http://127.0.0.1:${port}`);
  await server.stop();
});

it("once stopped, fails a call at once instead of waiting for a thread that is gone", async () => {
  const server = await startEmbeddedAws();
  await server.stop();
  await expect(server.createQueue("too-late")).rejects.toThrow(/thread exited/);
  await expect(server.stop()).resolves.toBeUndefined();
});
