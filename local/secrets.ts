import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "./sqs.ts";

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

export interface LocalSecretsEndpoint {
  endpoint: string;
  stop(): Promise<void>;
}

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

export async function startSecretsEndpoint(
  secrets: () => readonly LocalSecret[],
): Promise<LocalSecretsEndpoint> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify(body));
    };
    if (request.headers["x-amz-target"] !== "secretsmanager.GetSecretValue") {
      reply(400, { __type: "UnsupportedOperation", message: "local mode serves GetSecretValue only" });
      return;
    }
    const { SecretId } = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { SecretId?: string };
    const secret = secrets().find((s) => s.arn === SecretId || s.name === SecretId);
    if (!secret) {
      reply(400, {
        __type: "ResourceNotFoundException",
        message: `Secrets Manager can't find the specified secret: ${SecretId}`,
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
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
