import { S3Client } from "@aws-sdk/client-s3";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./embedded-aws.ts";

/**
 * An S3 client for the embedded server's buckets (path style: no wildcard DNS needed). For tests
 * and benchmarks: local mode itself never calls S3, so it does not load the S3 client.
 */
export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
}
