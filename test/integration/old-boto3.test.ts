import { execFile, spawnSync } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedAws, startEmbeddedAws } from "../../local/embedded-aws";

/**
 * A real old client: Debian's python3-boto3 (boto3 1.26, whose SQS speaks the query protocol, as
 * boto3 did before 1.29) drives the embedded server: test/support/old-boto3.py. CI installs the
 * package and sets REQUIRE_OLD_BOTO3 (.ci/run), so there it fails without it; elsewhere, without
 * it, this file is skipped and says how to get it.
 */

/** Debian's Python, where python3-boto3 installs (not a pyenv or venv python on PATH). */
const PYTHON = "/usr/bin/python3";
const SCRIPT = join(import.meta.dirname, "..", "support", "old-boto3.py");
const HAS_BOTO3 = spawnSync(PYTHON, ["-c", "import boto3"], { stdio: "ignore" }).status === 0;
const IN_CI = Boolean(process.env.CI || process.env.REQUIRE_OLD_BOTO3);

if (!HAS_BOTO3 && !IN_CI) {
  console.warn(
    "test/integration/old-boto3.test.ts skipped: no boto3 for /usr/bin/python3. Install Debian's: sudo apt-get install -y python3-boto3",
  );
}

describe.skipIf(!HAS_BOTO3 && !IN_CI)(
  "Debian's boto3 1.26 (SQS's query protocol) against the embedded server",
  () => {
    let aws: EmbeddedAws;
    let queueUrl: string;
    beforeAll(async () => {
      aws = await startEmbeddedAws();
      ({ queueUrl } = await aws.createQueue("old-boto3"));
    });
    afterAll(() => aws?.stop());

    it("sends, batches, receives, changes visibility, deletes and gets a modeled error, every MD5 right", async () => {
      expect(HAS_BOTO3, "no boto3 for /usr/bin/python3: .ci/run installs Debian's python3-boto3").toBe(true);
      const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, aws.endpoint, "old-boto3"], {
        timeout: 60_000,
      });
      const seen = JSON.parse(stdout);
      // The point of this test: a boto3 that speaks the query protocol (1.29 and later speak JSON).
      expect(seen.protocol, `boto3 ${seen.boto3} does not speak the query protocol`).toBe("query");
      expect(seen).toMatchObject({
        queueUrl,
        batchSent: ["a", "b"],
        batchFailed: [],
        bodies: ["batched a", "batched b", "line one\r\nline two <b>&amp; é ✓"],
        blob: Buffer.from([0, 1, 0xff]).toString("base64"),
        receiveCount: "1",
        visibleAgain: ["batched b"],
        batchDeleted: ["a", "b"],
        left: { ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" },
        missingQueue: "AWS.SimpleQueueService.NonExistentQueue",
        mismatches: [],
      });
      const { Messages = [] } = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
      expect(Messages).toEqual([]);
    });
  },
);
