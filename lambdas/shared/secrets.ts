import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type ArchiveKeyEnv, ConfigError } from "./config";

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

/** The shortest archive authentication key accepted (local mode's generated secrets have 24 characters, the stack's 64). */
const MIN_ARCHIVE_KEY_LENGTH = 16;

/**
 * The order archive's authentication key: ARCHIVE_KEY, else the secret ARCHIVE_KEY_SECRET_ID
 * names, read once per execution environment. Never read again: a changed key would make every
 * object written before it fail its check.
 */
export async function archiveKeyFromEnv(
  env: Partial<ArchiveKeyEnv>,
  client: () => SecretsManagerClient,
): Promise<string> {
  const secretId = env.ARCHIVE_KEY_SECRET_ID;
  const key = env.ARCHIVE_KEY ?? (secretId ? await readSecretString(client(), secretId) : undefined);
  if (key === undefined)
    throw new ConfigError("invalid configuration: the archive needs ARCHIVE_KEY_SECRET_ID or ARCHIVE_KEY");
  // Never echo the key.
  if (key.length < MIN_ARCHIVE_KEY_LENGTH)
    throw new ConfigError(`the archive's key must have at least ${MIN_ARCHIVE_KEY_LENGTH} characters`);
  return key;
}
