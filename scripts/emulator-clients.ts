import { LambdaClient } from "@aws-sdk/client-lambda";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../local/embedded-aws";

/**
 * AWS SDK clients for a deployed stack: pointed at an emulator's endpoint with the region and
 * credentials cdklocal deploys with, or (no endpoint) at AWS with the usual credential chain.
 */
export function emulatorClients(endpoint: string | undefined) {
  const config = endpoint ? { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS } : {};
  return {
    lambda: new LambdaClient(config),
    secrets: new SecretsManagerClient(config),
    // Calls stay on the endpoint, whatever host a queue URL names (an emulator's may name its own).
    sqs: new SQSClient({ ...config, useQueueUrlAsEndpoint: false }),
  };
}
