import { randomBytes } from "node:crypto";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "./embedded-aws.ts";
import {
  type EndpointGuard,
  jsonBody,
  type LocalEndpoint,
  replyJson,
  startLocalEndpoint,
} from "./local-endpoint.ts";
import type { LocalState } from "./state.ts";

/**
 * The template's Secrets Manager secrets, served locally: the functions read them through the
 * real SDK (AWS_ENDPOINT_URL_SECRETS_MANAGER points here), exactly as they do on AWS. A secret
 * named `AdminToken` takes its value from ADMIN_TOKEN if set, else the value kept in the state
 * folder, else a random one; whichever it is, it is kept, so it stays the same across restarts
 * (and so does a value set through PutSecretValue).
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

/** Where secret values are kept between runs: the state folder (local/state.ts). */
export type SecretStore = Pick<LocalState, "secret" | "storeSecret">;

export function localSecrets(
  resources: readonly { logicalId: string; name: string }[],
  stackName: string,
  env: Record<string, string | undefined>,
  kept: SecretStore,
): LocalSecret[] {
  return resources.map(({ logicalId, name }) => {
    const value = keptValue(secretEnvName(name), env[secretEnvName(name)], kept);
    return {
      logicalId,
      name,
      arn: `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:secret:${stackName}-${name}`,
      value,
    };
  });
}

/**
 * The value chosen in the environment variable `name`, else the kept one, else a new random one;
 * kept either way.
 */
export function keptValue(name: string, chosen: string | undefined, kept: SecretStore): string {
  const value = chosen || kept.secret(name) || randomBytes(18).toString("base64url");
  if (value !== kept.secret(name)) kept.storeSecret(name, value);
  return value;
}

export function startSecretsEndpoint(
  secrets: () => readonly LocalSecret[],
  kept: SecretStore,
  guard: EndpointGuard,
): Promise<LocalSecretsEndpoint> {
  return startLocalEndpoint(
    (request, body, response) => {
      const reply = (status: number, answer: unknown) => replyJson(response, status, answer, AMZ_JSON);
      const action = String(request.headers["x-amz-target"] ?? "").replace(/^secretsmanager\./, "");
      if (action !== "GetSecretValue" && action !== "PutSecretValue") {
        reply(400, {
          __type: "UnsupportedOperation",
          message: "local mode serves GetSecretValue and PutSecretValue only",
        });
        return;
      }
      const input = jsonBody<{ SecretId?: unknown; SecretString?: unknown }>(body, "InvalidRequestException");
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
        kept.storeSecret(secretEnvName(secret.name), secret.value);
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
    },
    guard,
    (response, status, code, message) => replyJson(response, status, { __type: code, message }, AMZ_JSON),
  );
}

const AMZ_JSON = "application/x-amz-json-1.1";
