import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readSecretString, refreshingSecret } from "../../lambdas/shared/secrets";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../local/embedded-aws";
import { type LocalSecret, type LocalSecretsEndpoint, startSecretsEndpoint } from "../../local/secrets";
import { NOTHING_KEPT, SIGNED_LOCALLY } from "../support/local-endpoints";
import { startTestApi, type TestApi } from "../support/test-api";

/**
 * A rotated admin token takes effect without a new execution environment: the admin function
 * reads the secret again once its copy is old (SECRET_REFRESH_SECONDS; 0.3 s here), through the
 * real SDK against local mode's Secrets Manager endpoint, where PutSecretValue rotates it.
 */

const MAX_AGE_MS = 300;
const secret: LocalSecret = {
  logicalId: "AdminToken",
  name: "orders/admin-token",
  arn: "arn:local:admin",
  value: "first-token",
};
let secrets: LocalSecretsEndpoint;
let client: SecretsManagerClient;
let api: TestApi;

beforeAll(async () => {
  secrets = await startSecretsEndpoint(() => [secret], NOTHING_KEPT, SIGNED_LOCALLY);
  client = new SecretsManagerClient({
    endpoint: secrets.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  api = await startTestApi({
    name: "rotation",
    adminToken: refreshingSecret(() => readSecretString(client, secret.name), MAX_AGE_MS),
  });
});
afterAll(async () => {
  await api?.close();
  await secrets?.stop();
});

const dlqWith = async (token: string) =>
  (await api.call("GET", "/dlq", { headers: { authorization: `Bearer ${token}` } })).status;

describe("rotating the admin token", () => {
  it("accepts the new token and refuses the old one once the function has read it again", async () => {
    expect(await dlqWith("first-token")).toBe(200);

    await client.send(new PutSecretValueCommand({ SecretId: secret.name, SecretString: "second-token" }));
    expect(secret.value).toBe("second-token");

    await vi.waitFor(async () => expect(await dlqWith("second-token")).toBe(200), {
      timeout: 5_000,
      interval: 100,
    });
    expect(await dlqWith("first-token")).toBe(403);
  });
});
