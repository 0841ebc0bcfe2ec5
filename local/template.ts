import { join } from "node:path";

/**
 * Reads a synthesized CloudFormation template into what local mode runs: functions (with their
 * bundled asset), queues, API routes and event source mappings. Local mode knows nothing of the
 * stack beyond this file: change the CDK app and local mode follows.
 */

/** CloudFormation JSON is read as it comes: each property is checked where it is used. */
// biome-ignore lint/suspicious/noExplicitAny: untyped template JSON, narrowed field by field below
type Json = any;
export type Template = { Resources: Record<string, { Type: string; Properties?: Json; Metadata?: Json }> };

export interface FunctionModel {
  logicalId: string;
  /** The logical id without CDK's hash suffix, e.g. `StatsFunction`. */
  name: string;
  /** Absolute path of the bundle's entry file, e.g. `.../asset.abc/index.mjs`. */
  entryFile: string;
  handlerExport: string;
  /** As in the template: values may be intrinsics (resolved by the caller). */
  environment: Record<string, unknown>;
  timeoutSeconds: number;
  memoryMb: number;
  /** ReservedConcurrentExecutions: the most environments it may have. */
  reservedConcurrency: number | undefined;
}

/**
 * The function a developer names: by logical id (`StatsFunctionE4A6FC3A`), by name (`StatsFunction`),
 * or by that name without "Function", in any case (`stats`, `Consumer`).
 */
export function functionNamed<F extends Pick<FunctionModel, "logicalId" | "name">>(
  functions: readonly F[],
  query: string,
): F | undefined {
  const short = (name: string) => name.replace(/Function$/, "").toLowerCase();
  return (
    functions.find((fn) => fn.logicalId === query || fn.name === query) ??
    functions.find((fn) => short(fn.name) === short(query))
  );
}

/** A function name that names none of the template's: says which there are. */
export class UnknownFunctionError extends Error {
  override name = "UnknownFunctionError";
  constructor(query: string, functions: readonly Pick<FunctionModel, "logicalId" | "name">[]) {
    super(
      `no function ${JSON.stringify(query)} in the template; its functions: ${functions
        .map((fn) => `${fn.name.replace(/Function$/, "")} (${fn.logicalId})`)
        .join(", ")}`,
    );
  }
}

export interface QueueModel {
  logicalId: string;
  name: string;
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  redrive?: { deadLetterLogicalId: string; maxReceiveCount: number };
}

export interface RouteModel {
  method: string;
  /** e.g. `/users/{user_id}/stats` */
  path: string;
  functionLogicalId: string;
  /** The method needs an API key (`x-api-key`) from a usage plan. */
  apiKeyRequired?: boolean;
}

export interface MappingModel {
  functionLogicalId: string;
  queueLogicalId: string;
  batchSize: number;
  batchingWindowSeconds: number;
  maxConcurrency: number | undefined;
  reportBatchItemFailures: boolean;
  enabled: boolean;
}

/** An S3 bucket of the template (the order archive): local mode serves it from the embedded server. */
export interface BucketModel {
  logicalId: string;
  name: string;
}

interface SecretModel {
  logicalId: string;
  name: string;
}

export interface StackModel {
  secrets: SecretModel[];
  buckets: BucketModel[];
  functions: FunctionModel[];
  queues: QueueModel[];
  routes: RouteModel[];
  mappings: MappingModel[];
  /** The API's keys (their values are generated at deploy; local mode makes its own). */
  apiKeys: { logicalId: string; name: string }[];
}

/** AWS's defaults for what a template may leave out. */
const DEFAULTS = {
  timeoutSeconds: 3,
  memoryMb: 128,
  visibilityTimeoutSeconds: 30,
  retentionSeconds: 345_600,
};

type Resource = Template["Resources"][string];

export function readTemplate(template: Template, assemblyDir: string): StackModel {
  const resources = Object.entries(template.Resources ?? {});
  const ofType = <T>(type: string, read: (logicalId: string, resource: Resource) => T): T[] =>
    resources.filter(([, resource]) => resource.Type === type).map(([id, resource]) => read(id, resource));

  const functions = ofType("AWS::Lambda::Function", (id, resource) =>
    readFunction(id, resource, assemblyDir),
  );
  return {
    functions,
    queues: ofType("AWS::SQS::Queue", readQueue),
    mappings: ofType("AWS::Lambda::EventSourceMapping", readMapping),
    routes: readRoutes(template, new Set(functions.map((fn) => fn.logicalId))),
    secrets: ofType("AWS::SecretsManager::Secret", named),
    apiKeys: ofType("AWS::ApiGateway::ApiKey", named),
    buckets: ofType("AWS::S3::Bucket", named),
  };
}

function readFunction(
  logicalId: string,
  { Properties: p = {}, Metadata: m = {} }: Resource,
  assemblyDir: string,
): FunctionModel {
  const assetPath = m["aws:asset:path"];
  if (typeof assetPath !== "string")
    throw new Error(`${logicalId}: no aws:asset:path metadata (inline code is not supported)`);
  const [file, handlerExport] = splitHandler(String(p.Handler ?? "index.handler"));
  return {
    logicalId,
    name: friendlyName(logicalId),
    entryFile: join(assemblyDir, assetPath, file),
    handlerExport,
    environment: p.Environment?.Variables ?? {},
    timeoutSeconds: Number(p.Timeout ?? DEFAULTS.timeoutSeconds),
    memoryMb: Number(p.MemorySize ?? DEFAULTS.memoryMb),
    reservedConcurrency:
      p.ReservedConcurrentExecutions === undefined ? undefined : Number(p.ReservedConcurrentExecutions),
  };
}

function readQueue(logicalId: string, { Properties: p = {} }: Resource): QueueModel {
  const redrive = p.RedrivePolicy;
  return {
    logicalId,
    name: friendlyName(logicalId),
    visibilityTimeoutSeconds: Number(p.VisibilityTimeout ?? DEFAULTS.visibilityTimeoutSeconds),
    retentionSeconds: Number(p.MessageRetentionPeriod ?? DEFAULTS.retentionSeconds),
    ...(redrive
      ? {
          redrive: {
            deadLetterLogicalId: referencedId(
              redrive.deadLetterTargetArn,
              "RedrivePolicy.deadLetterTargetArn",
            ),
            maxReceiveCount: Number(redrive.maxReceiveCount),
          },
        }
      : {}),
  };
}

function readMapping(logicalId: string, { Properties: p = {} }: Resource): MappingModel {
  return {
    functionLogicalId: referencedId(p.FunctionName, `${logicalId}.FunctionName`),
    queueLogicalId: referencedId(p.EventSourceArn, `${logicalId}.EventSourceArn`),
    batchSize: Number(p.BatchSize ?? 10),
    batchingWindowSeconds: Number(p.MaximumBatchingWindowInSeconds ?? 0),
    maxConcurrency:
      p.ScalingConfig?.MaximumConcurrency === undefined
        ? undefined
        : Number(p.ScalingConfig.MaximumConcurrency),
    reportBatchItemFailures: (p.FunctionResponseTypes ?? []).includes("ReportBatchItemFailures"),
    enabled: p.Enabled !== false,
  };
}

/** Resources local mode needs only the names of (secrets, API keys, buckets). */
function named(logicalId: string): { logicalId: string; name: string } {
  return { logicalId, name: friendlyName(logicalId) };
}

/** The REST API's Lambda proxy methods: method, resource path and the function they invoke. */
export function readRoutes(template: Template, functionIds: ReadonlySet<string>): RouteModel[] {
  const resources = Object.entries(template.Resources ?? {});
  const apiResources = Object.fromEntries(
    resources.filter(([, r]) => r.Type === "AWS::ApiGateway::Resource"),
  );
  const pathOf = (resourceId: unknown): string => {
    const id = (resourceId as { Ref?: string } | undefined)?.Ref;
    const resource = id ? apiResources[id] : undefined;
    if (!resource) return ""; // Fn::GetAtt [RestApi, RootResourceId]
    return `${pathOf(resource.Properties?.ParentId)}/${resource.Properties?.PathPart}`;
  };
  return resources
    .filter(
      ([, r]) => r.Type === "AWS::ApiGateway::Method" && r.Properties?.Integration?.Type === "AWS_PROXY",
    )
    .map(([logicalId, { Properties: p = {} }]) => {
      const functionLogicalId = findReference(p.Integration?.Uri, functionIds);
      if (!functionLogicalId)
        throw new Error(`${logicalId}: its integration does not point at a Lambda function`);
      return {
        method: String(p.HttpMethod),
        path: pathOf(p.ResourceId) || "/",
        functionLogicalId,
        ...(p.ApiKeyRequired === true ? { apiKeyRequired: true } : {}),
      };
    });
}

/** `Consumer8D6BE417` -> `Consumer`: CDK appends an 8-hex-digit hash to logical ids. */
function friendlyName(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, "") || logicalId;
}

function splitHandler(handler: string): [file: string, exportName: string] {
  const dot = handler.lastIndexOf(".");
  const base = handler.slice(0, dot);
  return [`${base}.mjs`, handler.slice(dot + 1)];
}

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
function referencedId(value: unknown, where: string): string {
  const ref = (value as { Ref?: unknown })?.Ref;
  if (typeof ref === "string") return ref;
  const getAtt = (value as { "Fn::GetAtt"?: unknown })?.["Fn::GetAtt"];
  if (Array.isArray(getAtt) && typeof getAtt[0] === "string") return getAtt[0];
  throw new Error(
    `${where}: expected a Ref or Fn::GetAtt to a resource of this stack, got ${JSON.stringify(value)}`,
  );
}

/** The first logical id among `candidates` that `value` refers to, anywhere inside it. */
function findReference(value: unknown, candidates: ReadonlySet<string>): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findReference(item, candidates);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const getAtt = record["Fn::GetAtt"];
  if (Array.isArray(getAtt) && candidates.has(String(getAtt[0]))) return String(getAtt[0]);
  if (typeof record.Ref === "string" && candidates.has(record.Ref)) return record.Ref;
  return findReference(Object.values(record), candidates);
}
