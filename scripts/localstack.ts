import { readRoutes, type Template } from "../local/template";

/**
 * The emulator deploy path's pure parts: reading `cdk-outputs.json`, the invoke URL and
 * ready-to-paste commands, cdklocal's environment for an endpoint, `-c name=value` options, and
 * the checks before a deploy (DNS, Lambda images, route changes). Unit-tested on recorded
 * outputs; scripts/deploy-local.ts does the I/O. Which emulator answers: scripts/emulators.ts.
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

/**
 * The environment cdklocal needs for an endpoint. On this machine's port 4566 it needs nothing;
 * another local port is its EDGE_PORT (it keeps the localhost.localstack.cloud names, which the
 * asset bucket's virtual-host name needs); another host is AWS_ENDPOINT_URL, with S3 on the same
 * endpoint (cdklocal refuses one without the other).
 */
export function cdklocalEnvironment(endpoint: string): Record<string, string> {
  const url = new URL(endpoint);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const https = url.protocol === "https:";
  if (["localhost", "127.0.0.1", "localhost.localstack.cloud"].includes(url.hostname)) {
    if (port === "4566" && !https) return {};
    return https ? { EDGE_PORT: port, USE_SSL: "1" } : { EDGE_PORT: port };
  }
  const origin = url.origin;
  return { AWS_ENDPOINT_URL: origin, AWS_ENDPOINT_URL_S3: origin };
}

/** Commands a user can paste to see the deployment work, the service description first. */
export function curlCommands(baseUrl: string): string[] {
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  return [
    `curl -s ${base}api`,
    `curl -s -X POST ${base}produce -H 'Content-Type: application/json' -d '{"count": 20}'`,
    `curl -s ${base}stats/global`,
    `curl -s '${base}users?limit=5'`,
  ];
}

/** The one stack of a cloud assembly's manifest.json: its name and template file. */
export function stackOf(manifestJson: string): { stackName: string; templateFile: string } {
  const manifest = JSON.parse(manifestJson) as {
    artifacts?: Record<
      string,
      { type: string; displayName?: string; properties?: { templateFile?: string } }
    >;
  };
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(
    ([, artifact]) => artifact.type === "aws:cloudformation:stack" && artifact.properties?.templateFile,
  );
  if (stacks.length !== 1)
    throw new Error(`expected one stack in the cloud assembly, found ${stacks.length}`);
  const [id, artifact] = stacks[0] as [
    string,
    { displayName?: string; properties: { templateFile: string } },
  ];
  return { stackName: artifact.displayName ?? id, templateFile: artifact.properties.templateFile };
}

/**
 * Host names cdklocal sends the CDK CLI to: LocalStack's own, and the bootstrap asset bucket's
 * virtual-host name. Both must resolve to this machine.
 */
export const LOCALSTACK_HOSTS = [
  "localhost.localstack.cloud",
  "cdk-hnb659fds-assets-000000000000-us-east-1.s3.localhost.localstack.cloud",
] as const;

/** What a name resolved to: its addresses, or the resolver's error code (ENOTFOUND, EAI_AGAIN, ...). */
export type Resolution = { host: string; addresses: string[] } | { host: string; error: string };

const LOOPBACK = /^(127\.|::1$|0:0:0:0:0:0:0:1$)/;

/** The DNS check's verdict: nothing when every name resolves to a loopback address, else what to do. */
export function dnsAdvice(resolutions: readonly Resolution[]): string[] {
  const broken = resolutions.filter(
    (r) => "error" in r || r.addresses.length === 0 || !r.addresses.every((a) => LOOPBACK.test(a)),
  );
  if (broken.length === 0) return [];
  return [
    "cdklocal sends the CDK CLI to names under localhost.localstack.cloud, which must resolve to 127.0.0.1:",
    ...broken.map((r) =>
      "error" in r
        ? `  ${r.host}: ${r.error}`
        : `  ${r.host}: resolves to ${r.addresses.join(", ") || "nothing"}`,
    ),
    "Public DNS resolves them; a resolver that filters private answers (some routers, corporate DNS) does not.",
    "Either use another resolver, or add these lines to /etc/hosts (C:\\Windows\\System32\\drivers\\etc\\hosts):",
    ...broken.map((r) => `  127.0.0.1 ${r.host}`),
  ];
}

/** LocalStack runs Lambda in AWS's images: `nodejs24.x` -> `public.ecr.aws/lambda/nodejs:24`. */
export function lambdaImageOf(runtime: string): string {
  const match = /^([a-z]+?)(\d[\d.]*)\.x$/.exec(runtime) ?? /^([a-z]+?)(\d[\d.]*)$/.exec(runtime);
  if (!match) throw new Error(`no Lambda image known for runtime ${runtime}`);
  return `public.ecr.aws/lambda/${match[1]}:${match[2]}`;
}

/** The template's Lambda runtimes. */
export function runtimesOf(template: Template): string[] {
  const runtimes = Object.values(template.Resources)
    .filter((resource) => resource.Type === "AWS::Lambda::Function")
    .map((resource) => resource.Properties?.Runtime)
    .filter((runtime): runtime is string => typeof runtime === "string");
  return [...new Set(runtimes)].sort();
}

/**
 * Images to pull before deploying, from `docker images --format '{{.Repository}}:{{.Tag}}'`: the
 * first create would otherwise pull them while CloudFormation waits on the function, with no
 * progress shown and a per-resource time limit.
 */
export function imagesToPull(template: Template, dockerImagesOutput: string): string[] {
  const present = new Set(dockerImagesOutput.split(/\r?\n/).map((line) => line.trim()));
  return [...new Set(runtimesOf(template).map(lambdaImageOf))].filter((image) => !present.has(image));
}

/** What deploy:local remembers of the last deploy, to see a change LocalStack cannot apply in place. */
export interface DeployedApi {
  stackName: string;
  /** Logical id of the API's AWS::ApiGateway::Deployment: CDK changes it when the routes change. */
  deploymentId: string;
  /** `METHOD /path` of every route. */
  routes: string[];
}

export function deployedApiOf(stackName: string, template: Template): DeployedApi {
  const deployments = Object.entries(template.Resources).filter(
    ([, resource]) => resource.Type === "AWS::ApiGateway::Deployment",
  );
  if (deployments.length !== 1) throw new Error(`expected one API deployment, found ${deployments.length}`);
  const functionIds = new Set(
    Object.keys(template.Resources).filter((id) => template.Resources[id]?.Type === "AWS::Lambda::Function"),
  );
  return {
    stackName,
    deploymentId: (deployments[0] as [string, unknown])[0],
    routes: readRoutes(template, functionIds)
      .map((route) => `${route.method} ${route.path}`)
      .sort(),
  };
}

/**
 * Whether the stack must be destroyed before this deploy. LocalStack does not update an API
 * Gateway Deployment or Stage in place, and deleting the old Deployment deletes the stage: after a
 * deploy that replaces the Deployment the API answers 403. Destroying first avoids that.
 */
export function redeployPlan(
  previous: DeployedApi | undefined,
  next: DeployedApi,
): { destroyFirst: false } | { destroyFirst: true; added: string[]; removed: string[] } {
  if (!previous || previous.stackName !== next.stackName || previous.deploymentId === next.deploymentId) {
    return { destroyFirst: false };
  }
  return {
    destroyFirst: true,
    added: next.routes.filter((route) => !previous.routes.includes(route)),
    removed: previous.routes.filter((route) => !next.routes.includes(route)),
  };
}
