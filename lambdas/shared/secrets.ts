import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** A secret's string value from Secrets Manager (by name or ARN). */
export async function readSecretString(client: SecretsManagerClient, secretId: string): Promise<string> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new Error(`secret ${secretId} has no string value`);
  return SecretString;
}

/**
 * A secret kept by an execution environment and read again once it is `maxAgeMs` old, so that a
 * rotation takes effect within that time, without a new environment. Callers at the same moment
 * share one read. The first read's failure is the caller's (the environment cannot work without
 * the secret); a later one keeps the last value and tries again on the next call.
 */
export function refreshingSecret(
  read: () => Promise<string>,
  maxAgeMs: number,
  now: () => number = Date.now,
): () => Promise<string> {
  let value: string | undefined;
  let readAt = 0;
  let reading: Promise<string> | undefined;
  const reread = () => {
    reading ??= read()
      .then((fresh) => {
        value = fresh;
        readAt = now();
        return fresh;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  return async () => {
    if (value === undefined) return reread();
    if (now() - readAt >= maxAgeMs) return reread().catch(() => value as string);
    return value;
  };
}
