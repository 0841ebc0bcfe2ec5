/**
 * The LocalStack-compatible emulators this stack deploys to, and what `deploy:local` and `smoke`
 * must know of each: how to tell which one answers on the endpoint, where its functions run (so
 * which Redis URL they can reach), and the quirks to work around or explain. Pure: unit-tested on
 * recorded answers; the scripts do the I/O. docs/emulators.md says the same for people.
 */

export type EmulatorKind = "localstack" | "ministack" | "floci";

export interface Emulator {
  kind: EmulatorKind;
  /** As the emulator reports it (`dev` for MiniStack run from source). */
  version: string;
}

/** The health routes that tell the emulators apart, asked in this order. */
export const HEALTH_PATHS = ["/_ministack/health", "/_floci/health", "/_localstack/health"] as const;
export type HealthPath = (typeof HEALTH_PATHS)[number];

/** What one health route answered: its status and JSON body, or nothing (refused, timed out). */
export type HealthAnswer = { status: number; body: unknown } | undefined;

/**
 * Which emulator answered, from its health routes: MiniStack and Floci also answer LocalStack's
 * `/_localstack/health` (so it is asked last), and only they answer their own.
 */
export function identifyEmulator(answers: Partial<Record<HealthPath, HealthAnswer>>): Emulator | undefined {
  const ok = (path: HealthPath) => {
    const answer = answers[path];
    return answer && answer.status === 200 ? (answer.body as { version?: unknown } | null) : undefined;
  };
  const versionOf = (body: { version?: unknown } | null | undefined) =>
    typeof body?.version === "string" && body.version ? body.version : "unknown";
  const ministack = ok("/_ministack/health");
  if (ministack) return { kind: "ministack", version: versionOf(ministack) };
  const floci = ok("/_floci/health");
  if (floci) return { kind: "floci", version: versionOf(floci) };
  const localstack = ok("/_localstack/health");
  if (!localstack) return undefined;
  // An older Floci without its own route still says so in LocalStack's.
  const kind = (localstack as { original_edition?: unknown }).original_edition === "floci-always-free";
  return { kind: kind ? "floci" : "localstack", version: versionOf(localstack) };
}

export const EMULATOR_NAMES: Record<EmulatorKind, string> = {
  localstack: "LocalStack",
  ministack: "MiniStack",
  floci: "Floci",
};

/**
 * Where the functions run: `compose` in containers on the compose network (LocalStack, Floci,
 * MiniStack's Docker executor as the compose profile sets it up), `host` as processes of this
 * machine (MiniStack's default local executor, when MiniStack itself runs on the host).
 */
export type FunctionHost = "compose" | "host";

/**
 * MiniStack runs functions where it runs: inside its compose container (this project's profile
 * gives it the Docker executor on the compose network) or, run from pip or source, on the host.
 */
export function functionHostOf(kind: EmulatorKind, ministackContainerRunning: boolean): FunctionHost {
  if (kind === "ministack") return ministackContainerRunning ? "compose" : "host";
  return "compose";
}

/** The compose file's Redis, as containers on its network reach it. */
export const COMPOSE_REDIS_URL = "redis://redis:6379";

/**
 * The Redis URLs functions on the host could use, in order of preference: the compose Redis's
 * host port (REDIS_HOST_PORT, 6380 by default, so it does not collide with a local Redis), then a
 * local Redis on its usual port.
 */
export function hostRedisCandidates(env: Record<string, string | undefined>): string[] {
  const composePort = env.REDIS_HOST_PORT || "6380";
  return [...new Set([`redis://127.0.0.1:${composePort}`, "redis://127.0.0.1:6379"])];
}

/**
 * The Redis URL to deploy with. An explicit `-c redisUrl=...` wins; in containers, the compose
 * Redis; on the host, the first candidate that answered a PING (undefined: none did).
 */
export function chooseRedisUrl(options: {
  explicit: string | undefined;
  host: FunctionHost;
  answeringHostUrls: readonly string[];
  candidates: readonly string[];
}): string | undefined {
  if (options.explicit) return options.explicit;
  if (options.host === "compose") return COMPOSE_REDIS_URL;
  return options.candidates.find((url) => options.answeringHostUrls.includes(url));
}

/** What deploy:local says about each emulator before deploying: quirks that would surprise a user. */
export function emulatorNotes(emulator: Emulator, host: FunctionHost): string[] {
  switch (emulator.kind) {
    case "localstack":
      return [
        "LocalStack's free SQS poller ignores ScalingConfig: one batch at a time.",
        "LocalStack 4.14 has no provider for AWS::CloudWatch::Dashboard: it is deployed as a fallback, with a warning.",
      ];
    case "floci":
      return [
        "Floci runs each function in AWS's runtime container on the compose network (Redis is redis:6379).",
        "Floci before its PR 2964 (September 2026) dropped ReportBatchItemFailures on the CloudFormation path,",
        "deleting failed messages: this deploy checks the event source mapping afterwards.",
      ];
    case "ministack":
      return [
        ...(host === "host"
          ? [
              "MiniStack runs the functions as `node` processes on this machine, with the `node` first on its PATH:",
              "the bundles target Node 24 (start MiniStack with Node 24 first on PATH, e.g. PATH=$PWD/node_modules/node/bin:$PATH).",
            ]
          : [
              "MiniStack runs each function in AWS's nodejs:24 container on the compose network (Redis is redis:6379).",
            ]),
        ...(versionAtLeast(emulator.version, [1, 5, 0])
          ? []
          : [
              "MiniStack before its PRs 1617 and 1625 (September 2026; 1.5.x has them) finds stacks by name only: a second",
              "deploy fails with `ChangeSet [cdk-deploy-change-set] does not exist` and destroy leaves the stack. Upgrade,",
              "or restart MiniStack and deploy again.",
            ]),
        "MiniStack stores ScalingConfig but runs one poller per mapping.",
      ];
  }
}

/** An event source mapping's settings that matter here, as the template sets them or the emulator reports them. */
export interface MappingSettings {
  batchSize: number | undefined;
  batchingWindowSeconds: number | undefined;
  reportBatchItemFailures: boolean;
  maxConcurrency: number | undefined;
}

/** The template's mapping (AWS::Lambda::EventSourceMapping properties). */
export function mappingFromTemplate(properties: Record<string, unknown>): MappingSettings {
  const types = properties.FunctionResponseTypes;
  const scaling = properties.ScalingConfig as { MaximumConcurrency?: unknown } | undefined;
  return {
    batchSize: numberOrUndefined(properties.BatchSize),
    batchingWindowSeconds: numberOrUndefined(properties.MaximumBatchingWindowInSeconds),
    reportBatchItemFailures: Array.isArray(types) && types.includes("ReportBatchItemFailures"),
    maxConcurrency: numberOrUndefined(scaling?.MaximumConcurrency),
  };
}

/** A mapping as Lambda's GetEventSourceMapping / ListEventSourceMappings reports it. */
export function mappingFromApi(mapping: {
  BatchSize?: number | undefined;
  MaximumBatchingWindowInSeconds?: number | undefined;
  FunctionResponseTypes?: string[] | undefined;
  ScalingConfig?: { MaximumConcurrency?: number | undefined } | undefined;
}): MappingSettings {
  return {
    batchSize: mapping.BatchSize,
    batchingWindowSeconds: mapping.MaximumBatchingWindowInSeconds,
    reportBatchItemFailures: mapping.FunctionResponseTypes?.includes("ReportBatchItemFailures") ?? false,
    maxConcurrency: mapping.ScalingConfig?.MaximumConcurrency,
  };
}

/**
 * The settings the emulator dropped or changed, each with what it costs. ReportBatchItemFailures
 * is the one that loses data: without it a batch with one failed record is deleted whole.
 */
export function mappingDifferences(
  expected: MappingSettings,
  reported: MappingSettings,
): { setting: string; expected: string; reported: string; severity: "error" | "warning" }[] {
  const differences: ReturnType<typeof mappingDifferences> = [];
  const show = (value: unknown) => (value === undefined ? "(not set)" : String(value));
  if (expected.reportBatchItemFailures && !reported.reportBatchItemFailures) {
    differences.push({
      setting: "FunctionResponseTypes",
      expected: "ReportBatchItemFailures",
      reported: "(dropped: a failed record's whole batch would be deleted)",
      severity: "error",
    });
  }
  const others: [string, keyof MappingSettings][] = [
    ["BatchSize", "batchSize"],
    ["MaximumBatchingWindowInSeconds", "batchingWindowSeconds"],
    ["ScalingConfig.MaximumConcurrency", "maxConcurrency"],
  ];
  for (const [setting, key] of others) {
    if (expected[key] !== undefined && expected[key] !== reported[key]) {
      differences.push({
        setting,
        expected: show(expected[key]),
        reported: show(reported[key]),
        severity: "warning",
      });
    }
  }
  return differences;
}

/** Whether a reported `x.y.z` version is at least this one (`dev` or `unknown`: not known to be). */
function versionAtLeast(version: string, minimum: readonly [number, number, number]): boolean {
  const parts = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version)?.slice(1).map(Number);
  if (!parts) return false;
  for (let i = 0; i < 3; i++) {
    if ((parts[i] as number) !== minimum[i]) return (parts[i] as number) > (minimum[i] as number);
  }
  return true;
}

function numberOrUndefined(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}
