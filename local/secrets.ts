import { randomBytes } from "node:crypto";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "./embedded-aws.ts";
import { type LocalEndpoint, replyJson, startLocalEndpoint } from "./local-endpoint.ts";

/**
 * The template's Secrets Manager secrets, served locally: the functions read them through the
 * real SDK (AWS_ENDPOINT_URL_SECRETS_MANAGER points here), exactly as they do on AWS. A secret
 * named `AdminToken` takes its value from ADMIN_TOKEN if set, else a random one for this run.
 */

export interface LocalSecret {
  logicalId: string;
  name: string;
  arn: string;
  value: string;
}

export type LocalSecretsEndpoint = LocalEndpoint;

/** `AdminToken` -> `ADMIN_TOKEN`. */
export function secretEnvName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

export function localSecrets(
  resources: readonly { logicalId: string; name: string }[],
  stackName: string,
  env: Record<string, string | undefined>,
): LocalSecret[] {
  return resources.map(({ logicalId, name }) => ({
    logicalId,
    name,
    arn: `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:secret:${stackName}-${name}`,
    value: env[secretEnvName(name)] || randomBytes(18).toString("base64url"),
  }));
}

export function startSecretsEndpoint(secrets: () => readonly LocalSecret[]): Promise<LocalSecretsEndpoint> {
  return startLocalEndpoint((request, body, response) => {
    const reply = (status: number, answer: unknown) =>
      replyJson(response, status, answer, "application/x-amz-json-1.1");
    const action = String(request.headers["x-amz-target"] ?? "").replace(/^secretsmanager\./, "");
    if (action !== "GetSecretValue" && action !== "PutSecretValue") {
      reply(400, {
        __type: "UnsupportedOperation",
        message: "local mode serves GetSecretValue and PutSecretValue only",
      });
      return;
    }
    const input = JSON.parse(body.toString("utf8") || "{}") as { SecretId?: string; SecretString?: string };
    const secret = secrets().find((s) => s.arn === input.SecretId || s.name === input.SecretId);
    if (!secret) {
      reply(400, {
        __type: "ResourceNotFoundException",
        message: `Secrets Manager can't find the specified secret: ${input.SecretId}`,
      });
      return;
    }
    if (action === "PutSecretValue") {
      // A rotation by hand: the functions take the new value within SECRET_REFRESH_SECONDS.
      if (typeof input.SecretString !== "string" || input.SecretString === "") {
        reply(400, { __type: "InvalidParameterException", message: "SecretString is required" });
        return;
      }
      secret.value = input.SecretString;
      reply(200, {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: `local-${Date.now()}`,
        VersionStages: ["AWSCURRENT"],
      });
      return;
    }
    reply(200, {
      ARN: secret.arn,
      Name: secret.name,
      SecretString: secret.value,
      VersionId: "local",
      VersionStages: ["AWSCURRENT"],
      CreatedDate: Math.floor(Date.now() / 1000),
    });
  });
}
