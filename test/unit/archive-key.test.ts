import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../lambdas/shared/config";
import { archiveKeyFromEnv } from "../../lambdas/shared/secrets";

/** The archive's authentication key, as the consumer and the rebuild find it at cold start. */

/** A Secrets Manager client that answers every GetSecretValue with `value`. */
const secretsAnswering = (value: string) => () =>
  ({ send: async () => ({ SecretString: value }) }) as unknown as SecretsManagerClient;
const noSecrets = () => {
  throw new Error("Secrets Manager was not to be asked");
};

describe("archiveKeyFromEnv", () => {
  it("takes ARCHIVE_KEY as it is, else reads the secret ARCHIVE_KEY_SECRET_ID names", async () => {
    expect(await archiveKeyFromEnv({ ARCHIVE_KEY: "k".repeat(16) }, noSecrets)).toBe("k".repeat(16));
    const fromSecret = secretsAnswering("s".repeat(64));
    expect(await archiveKeyFromEnv({ ARCHIVE_KEY_SECRET_ID: "arn:secret:archive-key" }, fromSecret)).toBe(
      "s".repeat(64),
    );
  });

  it("refuses to start without a key, or with one too short to be one (never echoing it)", async () => {
    await expect(archiveKeyFromEnv({}, noSecrets)).rejects.toBeInstanceOf(ConfigError);
    const short = archiveKeyFromEnv({ ARCHIVE_KEY_SECRET_ID: "id" }, secretsAnswering("tiny-key"));
    await expect(short).rejects.toThrow(/at least 16 characters/);
    await expect(short).rejects.not.toThrow(/tiny-key/);
  });
});
