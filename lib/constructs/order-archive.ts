import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectLockRetention,
  ObjectOwnership,
  StorageClass,
} from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { ARCHIVE_ROOT, LAST_CLEAR_KEY } from "../../lambdas/core/archive";

/**
 * The order archive: an S3 bucket holding every message the consumer settled (see
 * lambdas/core/archive.ts), from which the analytics can be rebuilt whatever happens to Redis.
 * Private, encrypted, TLS only, kept when the stack is deleted; objects move to Standard-IA after
 * a month and expire after the retention, if one is set.
 *
 * Tamper-evident by default: the bucket is versioned, so an overwrite or a delete keeps the
 * version the consumer wrote (the rebuild reads the oldest version of each key), and the consumer
 * may only create objects, never replace one (its PutObject must say If-None-Match: *). With
 * Object Lock no one, in compliance mode not even the account's root, can delete a version before
 * its retention ends.
 */

export interface OrderArchiveProps {
  /** Days an archived batch is kept; 0 keeps it for good. A rebuild sees only what is kept. */
  retentionDays: number;
  /** Object Lock on every new version: `governance` (removable with a special permission) or `compliance`. */
  objectLock: "off" | "governance" | "compliance";
  /** How long Object Lock keeps each version. */
  objectLockDays: number;
}

/** Objects older than this move to Standard-IA (S3 bills IA for at least 30 days, and 128 KB). */
const INFREQUENT_ACCESS_AFTER_DAYS = 30;
/** A version replaced or deleted is kept this long, for inspection, then expires. */
const NONCURRENT_VERSION_DAYS = 90;

export class OrderArchive extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: OrderArchiveProps) {
    super(scope, id);
    // Moving an object to IA and deleting it before IA's 30-day minimum costs more than keeping it.
    const transition =
      props.retentionDays === 0 || props.retentionDays > INFREQUENT_ACCESS_AFTER_DAYS + 30
        ? [
            {
              storageClass: StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(INFREQUENT_ACCESS_AFTER_DAYS),
            },
          ]
        : [];
    const lock =
      props.objectLock === "off"
        ? {}
        : {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              props.objectLock === "compliance"
                ? ObjectLockRetention.compliance(Duration.days(props.objectLockDays))
                : ObjectLockRetention.governance(Duration.days(props.objectLockDays)),
          };
    this.bucket = new Bucket(this, "Bucket", {
      ...lock,
      versioned: true,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      // The archive is the durable record: deleting the stack must not delete it.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: "archive-ageing",
          prefix: ARCHIVE_ROOT,
          transitions: transition,
          ...(props.retentionDays > 0 ? { expiration: Duration.days(props.retentionDays) } : {}),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        {
          // Replaced or deleted versions (none in normal running: the consumer only creates),
          // and the delete markers left once they are gone.
          id: "noncurrent-versions",
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
          expiredObjectDeleteMarker: true,
        },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "Only the stack's own functions read and write it (their roles are the only grants); access logs would add a second bucket and a write per request. Turn on CloudTrail data events where an audit trail of reads is required.",
    });
  }

  /**
   * The consumer: creates archive objects, nothing else. Each PutObject must carry If-None-Match
   * (create only): it can never replace an object, so never leave a second version behind.
   */
  allowArchiving(fn: LambdaFunction): void {
    this.grant(fn, ["s3:PutObject"], this.bucket.arnForObjects(`${ARCHIVE_ROOT}*`), {
      Null: { "s3:if-none-match": "false" },
    });
  }

  /** The admin function: notes clears, and reads the latest one when a rebuild starts. */
  allowClearMarks(fn: LambdaFunction): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ["s3:PutObject", "s3:GetObject"],
        resources: [this.bucket.arnForObjects(LAST_CLEAR_KEY)],
      }),
    );
  }

  /** The rebuild: lists the archive's versions and reads the oldest of each key. */
  allowReading(fn: LambdaFunction): void {
    this.grant(fn, ["s3:GetObject", "s3:GetObjectVersion"], this.bucket.arnForObjects(`${ARCHIVE_ROOT}*`));
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ["s3:ListBucket", "s3:ListBucketVersions"],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { "s3:prefix": [`${ARCHIVE_ROOT}*`] } },
      }),
    );
  }

  /** Object actions under the archive prefix: keys are made at run time, so the grant names the prefix. */
  private grant(
    fn: LambdaFunction,
    actions: string[],
    objects: string,
    conditions?: Record<string, Record<string, string>>,
  ): void {
    fn.addToRolePolicy(
      new PolicyStatement({ actions, resources: [objects], ...(conditions ? { conditions } : {}) }),
    );
    if (fn.role) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/${ARCHIVE_ROOT}*]`,
        reason:
          "Archive objects are named at run time (time, then a unique writer id), all under archive/: the grant covers that prefix only, with only the actions named.",
      });
    }
  }
}
