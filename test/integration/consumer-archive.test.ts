import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore } from "../../lambdas/adapters/redis-store";
import { createS3Archive, UnauthenticatedArchiveObjectError } from "../../lambdas/adapters/s3-archive";
import { sendMessages } from "../../lambdas/adapters/sqs-sender";
import { archiveKeyTime, parseArchiveLine } from "../../lambdas/core/archive";
import type { RedisClient } from "../../lambdas/shared/clients";
import {
  BatchFailedError,
  type ConsumerDeps,
  processBatch,
  RECORD_SLICE,
} from "../../lambdas/sqs/process-batch";
import { type AwsFaultProxy, startAwsFaultProxy } from "../../local/aws-fault-proxy";
import { orderMessage, sqsRecord, sqsRecords } from "../support/factories";
import { silentLogger } from "../support/fakes";
import { connectRedis, deleteKeys, uniquePrefix } from "../support/redis";
import { type EmbeddedSqs, localS3Client, startEmbeddedSqs } from "../support/sqs";
import { TEST_ARCHIVE_KEY } from "../support/test-api";

/**
 * The consumer and the order archive, over the real SDK and HTTP: every settled message is in
 * the archive before Redis counts it, and a batch the archive refused is not counted at all; its
 * records are reported for redelivery and count once when they come back.
 */

const prefix = uniquePrefix("consumer-archive");
const bucket = "consumer-archive-test";
let redis: RedisClient;
let sqs: EmbeddedSqs;
let refusing: AwsFaultProxy;
let dlqUrl: string;

beforeAll(async () => {
  redis = connectRedis();
  sqs = await startEmbeddedSqs();
  await sqs.createBucket(bucket);
  dlqUrl = await sqs.createQueueUrl("archive-dlq");
  refusing = await startAwsFaultProxy(sqs.endpoint, { sqsSendFailureRate: 0, archiveWriteFailureRate: 1 });
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await refusing.stop();
  await sqs.stop();
});

function depsWith(endpoint: string): ConsumerDeps {
  const archive = createS3Archive(localS3Client(endpoint), bucket, { authenticationKey: TEST_ARCHIVE_KEY });
  return {
    store: createRedisStore(redis, { prefix, markerTtlSeconds: 3600 }),
    sendToDlq: (messages) => sendMessages(sqs.client, dlqUrl, messages),
    logger: silentLogger,
    archive,
  };
}

async function archivedLines() {
  const archive = createS3Archive(localS3Client(sqs.endpoint), bucket, {
    authenticationKey: TEST_ARCHIVE_KEY,
  });
  const keys = await archive.list("archive/");
  return (await Promise.all(keys.map((key) => archive.read(key))))
    .flatMap((object) => object.lines)
    .map(parseArchiveLine);
}

describe("the consumer with the order archive", () => {
  it("archives every settled message with its outcome and exact body, one object per batch", async () => {
    const bodies = [
      JSON.stringify(orderMessage({ order_id: "ORD-ARCHIVED-1" })),
      JSON.stringify(orderMessage({ order_id: "ORD-ARCHIVED-2", user_id: "nobody" })),
      "not json",
    ];
    const records = [
      ...sqsRecords(...bodies),
      ...Array.from({ length: RECORD_SLICE }, (_, i) =>
        sqsRecord(JSON.stringify(orderMessage({ order_id: `ORD-ARCHIVED-S${i}` }))),
      ),
    ];
    const before = (await archivedLines()).length;
    expect((await processBatch(records, depsWith(sqs.endpoint))).batchItemFailures).toEqual([]);
    const lines = (await archivedLines()).slice(before);
    expect(lines.map((line) => line.header.message_id).sort()).toEqual(
      records.map((r) => r.messageId).sort(),
    );
    const byId = new Map(lines.map((line) => [line.header.message_id, line]));
    expect(byId.get(records[0]?.messageId as string)).toMatchObject({
      header: { outcome: "valid" },
      body: bodies[0],
    });
    expect(byId.get(records[1]?.messageId as string)).toMatchObject({
      header: { outcome: "failed", reason: "invalid_user_id" },
      body: bodies[1],
    });
    expect(byId.get(records[2]?.messageId as string)).toMatchObject({
      header: { outcome: "malformed", reason: "malformed" },
      body: "not json",
    });
    const keys = await createS3Archive(localS3Client(sqs.endpoint), bucket, {
      authenticationKey: TEST_ARCHIVE_KEY,
    }).list("archive/");
    expect(keys).toHaveLength(1); // 203 records, two slices: one object
  });

  it("authenticates each object: it reads back under the deployment's key only, and not once a byte changed", async () => {
    const archiveWith = (authenticationKey: string) =>
      createS3Archive(localS3Client(sqs.endpoint), bucket, { authenticationKey });
    const records = sqsRecords(orderMessage({ order_id: "ORD-AUTHENTICATED" }));
    expect((await processBatch(records, depsWith(sqs.endpoint))).batchItemFailures).toEqual([]);
    const objectKey = (await archiveWith(TEST_ARCHIVE_KEY).list("archive/")).at(-1) as string;

    const object = await archiveWith(TEST_ARCHIVE_KEY).read(objectKey);
    expect(object).toMatchObject({ writtenAt: archiveKeyTime(objectKey), valueMismatch: "reject" });
    expect(parseArchiveLine(object.lines[0] as string).header.message_id).toBe(records[0]?.messageId);
    await expect(archiveWith("another-deployment's-archive-key").read(objectKey)).rejects.toBeInstanceOf(
      UnauthenticatedArchiveObjectError,
    );

    // One byte changed, the metadata kept (where the bucket keeps no versions, as local mode's).
    const s3 = localS3Client(sqs.endpoint);
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
    const bytes = Buffer.from((await stored.Body?.transformToByteArray()) ?? []);
    bytes[bytes.length - 9] = (bytes[bytes.length - 9] ?? 0) ^ 1; // in the gzip trailer's CRC
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: objectKey, Body: bytes, Metadata: stored.Metadata }),
    );
    await expect(archiveWith(TEST_ARCHIVE_KEY).read(objectKey)).rejects.toThrow(
      /authenticator does not hold/,
    );
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey }));
  });

  it("counts nothing the archive refused, reports it all for redelivery, and counts it once when it returns", async () => {
    const records = sqsRecords(
      orderMessage({ order_id: "ORD-REFUSED-1" }),
      orderMessage({ order_id: "ORD-REFUSED-2" }),
    );
    const store = depsWith(sqs.endpoint).store;
    const totalBefore = (await store.globalStats()).totalOrders;
    await expect(processBatch(records, depsWith(refusing.endpoint))).rejects.toBeInstanceOf(BatchFailedError);
    expect(refusing.failedArchiveWrites).toBeGreaterThan(0);
    expect((await store.globalStats()).totalOrders).toBe(totalBefore);
    expect((await archivedLines()).some((line) => line.header.message_id === records[0]?.messageId)).toBe(
      false,
    );

    // Redelivered (same message ids) with the archive back: archived and counted once.
    expect((await processBatch(records, depsWith(sqs.endpoint))).batchItemFailures).toEqual([]);
    expect((await processBatch(records, depsWith(sqs.endpoint))).batchItemFailures).toEqual([]);
    expect((await store.globalStats()).totalOrders).toBe(totalBefore + 2);
    const archivedIds = (await archivedLines()).map((line) => line.header.message_id);
    for (const record of records) expect(archivedIds).toContain(record.messageId);
  });
});
