/**
 * The LocalStack deploy path's pure parts: reading `cdk-outputs.json` and building the invoke
 * URL and ready-to-paste commands. Unit-tested on a recorded outputs file.
 */

export const LOCALSTACK_ENDPOINT = "http://localhost:4566";

export interface StackOutputs {
  stackName: string;
  apiId: string;
  /** LocalStack's invoke URL without DNS, ending in `/`. */
  invokeUrl: string;
  queueUrl?: string;
  deadLetterQueueUrl?: string;
}

/** Reads the one stack's outputs from the JSON that `cdklocal deploy --outputs-file` wrote. */
export function parseStackOutputs(json: string, stage = "prod"): StackOutputs {
  const all = JSON.parse(json) as Record<string, Record<string, string>>;
  const stacks = Object.entries(all).filter(([, outputs]) => typeof outputs?.ApiId === "string");
  if (stacks.length !== 1) {
    throw new Error(`expected one stack with an ApiId output in cdk-outputs.json, found ${stacks.length}`);
  }
  const [stackName, outputs] = stacks[0] as [string, Record<string, string>];
  const apiId = outputs.ApiId as string;
  return {
    stackName,
    apiId,
    invokeUrl: outputs.LocalApiUrl ?? invokeUrl(apiId, stage),
    queueUrl: outputs.QueueUrl,
    deadLetterQueueUrl: outputs.DeadLetterQueueUrl,
  };
}

/** `http://localhost:4566/_aws/execute-api/<apiId>/<stage>/`, which needs no DNS. */
export function invokeUrl(apiId: string, stage = "prod", endpoint = LOCALSTACK_ENDPOINT): string {
  if (!/^[a-z0-9]+$/i.test(apiId)) throw new Error(`not an API id: ${apiId}`);
  return `${endpoint}/_aws/execute-api/${apiId}/${stage}/`;
}

/** Three commands a user can paste to see the deployment work. */
export function curlCommands(baseUrl: string): string[] {
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  return [
    `curl -s -X POST ${base}produce -H 'Content-Type: application/json' -d '{"count": 20}'`,
    `curl -s ${base}stats/global`,
    `curl -s '${base}users?limit=5'`,
  ];
}
