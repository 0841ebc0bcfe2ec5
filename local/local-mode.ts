import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import type { APIGatewayProxyEvent, SQSEvent } from "aws-lambda";
import { type LocalApiGateway, startApiGateway } from "./api-gateway.ts";
import { type AwsFaultProxy, startAwsFaultProxy } from "./aws-fault-proxy.ts";
import {
  type Observation,
  observedLog,
  observedReport,
  spanSink,
  startLocalConsole,
  startObserving,
} from "./console/local-console.ts";
import { debuggableBundle } from "./debug-bundle.ts";
import {
  attachEmbeddedAws,
  type EmbeddedAws,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  type LocalQueue,
  localAwsEnvironment,
  startEmbeddedAws,
} from "./embedded-aws.ts";
import { DEFAULT_POLLERS, SqsPoller } from "./event-source.ts";
import { type Faults, NO_FAULTS } from "./faults.ts";
import { type ResolverContext, resolveEnvironment } from "./intrinsics.ts";
import { type LocalLambdaApi, startLambdaApi } from "./lambda-api.ts";
import {
  type InvocationReport,
  type InvokeOptions,
  LocalFunction,
  type LocalFunctionOptions,
} from "./lambda-runtime.ts";
import { tracedBatches } from "./local-tracing.ts";
import { ensureRedis, type LocalRedis } from "./redis-server.ts";
import { keptValue, type LocalSecret, localSecrets, startSecretsEndpoint } from "./secrets.ts";
import { type LocalState, openLocalState } from "./state.ts";
import { LOCAL_OUTDIR, type SynthResult, synthesize } from "./synth.ts";
import { TcpProxy } from "./tcp-proxy.ts";
import {
  type FunctionModel,
  functionNamed,
  type MappingModel,
  readTemplate,
  type StackModel,
  UnknownFunctionError,
} from "./template.ts";

/**
 * Local mode: synthesizes the CDK app and runs what it describes on this machine, with no Docker
 * and no AWS account. API Gateway is an HTTP server, each function runs its bundled asset in a
 * worker thread, the queues live in an embedded SQS server, event source mappings are pollers,
 * and Redis is REDIS_URL or a redis-server started for the occasion.
 */

export interface LocalModeOptions {
  /** HTTP port of the API (0 = any free port). */
  port?: number;
  host?: string;
  /** SQS endpoint port (0 = any free port). */
  sqsPort?: number;
  /** A Redis of the user's (it must answer); else local mode's own redis-server, its data in the state folder. */
  redisUrl?: string;
  /**
   * Where local mode keeps what it owns (local/state.ts): `directory` (npm start: `.local/`), or
   * `ephemeral`, a temporary folder removed at stop (the default here, for tests); `share`: when
   * a local mode already owns the folder, use its Redis and S3 (npm run invoke beside npm start).
   */
  state?: { directory?: string; ephemeral?: boolean; share?: boolean };
  /** `cluster`: `redisUrl` is a node of a Redis Cluster (else one is started from redis-server). */
  redisMode?: "single" | "cluster";
  /** CDK context (the stack's parameters), as `-c name=value` would give. */
  context?: Record<string, string>;
  /** Module exporting createApp(props), instead of lib/app.ts. */
  appModule?: string;
  outdir?: string;
  /** Where function and local-mode log lines go (default: nowhere). */
  onLog?: (source: string, line: string, stream: "stdout" | "stderr") => void;
  /**
   * Receives each invocation's REPORT (npm start summarizes them past a rate); by default each
   * goes to `onLog` as a line of Lambda's JSON log format.
   */
  onReport?: (functionName: string, report: InvocationReport) => void;
  onRequest?: Parameters<typeof startApiGateway>[0]["onRequest"];
  /** Faults to inject (see faults.ts); none by default. */
  faults?: Faults;
  /** Serve the API under this path, like LocalStack's `/_aws/execute-api/<id>/<stage>` (see api-gateway.ts). */
  pathPrefix?: string;
  /** Execution environments per function behind the API (default API_FUNCTION_CONCURRENCY). */
  functionConcurrency?: number;
  /** Host names the API answers besides the loopback's (`--allowed-host`). */
  allowedHosts?: readonly string[];
  /** Serve the API over HTTP (default true; `npm run invoke` runs one function without it). */
  serve?: boolean;
  /** Run the event source mappings' pollers (default true). */
  pollers?: boolean;
  /**
   * Let a debugger attach to one function (named as `functionNamed` takes it): its one
   * environment's inspector listens on `port`; `wait`: its code runs once one has attached.
   */
  inspect?: { function: string; port: number; wait?: boolean };
  /**
   * The local console's port (local/console/): 0 (the default) any free one; `anyPortIfTaken`:
   * this one if it is free, else any. `false`: no console.
   */
  console?: { port: number; anyPortIfTaken?: boolean } | false;
}

export interface LocalMode {
  apiUrl: string;
  /** The local console's address ("" when there is none). */
  consoleUrl: string;
  state: LocalState;
  sqsEndpoint: string;
  redis: LocalRedis;
  synth: SynthResult;
  model: StackModel;
  queues: Map<string, LocalQueue>;
  /** The template's buckets (the order archive) in the embedded server: name by logical id. */
  buckets: Map<string, string>;
  pollers: SqsPoller[];
  functions: Map<string, LocalFunction>;
  /** Lambda's Invoke API, for functions that start others (the rebuild). */
  lambdaApi: LocalLambdaApi;
  /** Secrets Manager, for the functions. */
  secretsEndpoint: string;
  /** What the functions sign their AWS calls with; the Invoke API and Secrets Manager take nothing else. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The template's secrets and the values local mode gave them. */
  secrets: LocalSecret[];
  /** The value every API key of the template has here (API_KEY, else random), when it has keys. */
  apiKey: string | undefined;
  /** Synthesizes again and swaps functions, routes and pollers; queues and Redis keep their data. */
  reload(): Promise<SynthResult>;
  stop(): Promise<void>;
}

export async function startLocalMode(options: LocalModeOptions = {}): Promise<LocalMode> {
  process.setSourceMapsEnabled(true); // stack traces from the bundles point at lambdas/*.ts
  const outdir = options.outdir ?? LOCAL_OUTDIR;
  // Writes open and POST /produce on unless asked (as the original); `-c writeAuth=apiKey` turns keys on.
  const context = { writeAuth: "open", produce: "on", ...options.context };
  const resynthesize = () => synthesize({ outdir, context, appModule: options.appModule });
  // Everything started is stopped in reverse order: by `stop()`, or at once if the start fails.
  const started = new StopStack();
  let stopping: Promise<void> | undefined;
  const state = openLocalState(options.state ?? { ephemeral: true });
  started.push({ stop: async () => state.release() }); // released last
  try {
    const [synth, redis, sqs] = await started.all([
      resynthesize(),
      localModeRedis(options, state),
      localModeAws(options, state),
    ] as const);
    // What runs the template (set below, swapped by reload()) and the secrets it was given.
    const current = { runtime: undefined as Runtime | undefined, secrets: [] as LocalSecret[] };
    const { wiring, lambdaApi, secretsEndpoint } = await startWiring(options, started, {
      synth,
      redis,
      sqs,
      current,
      state,
    });
    const runtime = await startRuntime(synth, wiring);
    current.runtime = runtime;
    started.push({ stop: () => stopRuntime(current.runtime ?? runtime) }); // whichever is current then
    const apiKey = keptValue("API_KEY", process.env.API_KEY, state);
    const gateway =
      options.serve === false ? undefined : started.push(await serveApi(options, current, apiKey, wiring));
    const consoleUrl = await serveConsole(options, started, current, wiring);
    state.announce({ redisUrl: redis.url, redisMode: redis.mode, awsEndpoint: sqs.endpoint });
    const handle = {
      synth,
      redis,
      sqs,
      lambdaApi,
      secretsEndpoint,
      credentials: wiring.credentials,
      gateway,
      consoleUrl,
      apiKey,
      current,
      state,
      // Once: a signal and the code that started local mode may both stop it.
      stop: () => (stopping ??= started.stopAll()),
    };
    return localModeHandle(handle, async () => {
      const next = await resynthesize();
      await stopRuntime(current.runtime ?? runtime);
      current.runtime = await startRuntime(next, wiring);
      gateway?.setRoutes(current.runtime.model.routes);
      return next;
    });
  } catch (error) {
    await started.stopAll(); // leave nothing running behind a failed start
    throw error;
  }
}

interface Current {
  runtime: Runtime | undefined;
  secrets: LocalSecret[];
}

/**
 * The Redis the user named (it must answer), else the one of the local mode that owns the state
 * folder (when sharing it), else local mode's own, its data in the state folder.
 */
function localModeRedis(options: LocalModeOptions, state: LocalState): Promise<LocalRedis> {
  if (options.redisUrl) return ensureRedis(options.redisUrl, options.redisMode);
  if (state.running) return ensureRedis(state.running.redisUrl, state.running.redisMode);
  return ensureRedis(undefined, options.redisMode, state.ephemeral ? undefined : state.redisDir);
}

/**
 * The embedded SQS and S3 server of the local mode that owns the state folder (when sharing it),
 * else local mode's own, its objects and queued messages kept in the state folder.
 */
function localModeAws(options: LocalModeOptions, state: LocalState): Promise<EmbeddedAws> {
  if (state.running) return attachEmbeddedAws(state.running.awsEndpoint);
  return startEmbeddedAws({
    port: options.sqsPort,
    allowedHosts: options.allowedHosts,
    ...(state.ephemeral ? {} : { storageDir: state.directory }),
  });
}

/**
 * The credentials local mode's functions sign their AWS calls with, new every run: the internal
 * endpoints (Lambda's Invoke API, Secrets Manager) answer nobody else.
 */
function runCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `LOCAL${randomBytes(8).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(24).toString("base64url"),
  };
}

/** The services between the functions and their dependencies: fault proxies, Secrets Manager, the Invoke API. */
async function startWiring(
  options: LocalModeOptions,
  started: StopStack,
  at: { synth: SynthResult; redis: LocalRedis; sqs: EmbeddedAws; current: Current; state: LocalState },
): Promise<{ wiring: Wiring; lambdaApi: LocalLambdaApi; secretsEndpoint: string }> {
  const { synth, redis, sqs, current, state } = at;
  // What the console shows, kept from here on (local/console/).
  const observation = startObserving(process.env);
  const log = observedLog(observation, options.onLog ?? (() => {}));
  const faults = started.push(await startFaults(options.faults ?? NO_FAULTS, redis, sqs.endpoint));
  const credentials = runCredentials();
  const guard = { allowedHosts: options.allowedHosts ?? [], accessKeyId: credentials.accessKeyId };
  const secretsEndpoint = started.push(await startSecretsEndpoint(() => current.secrets, state, guard));
  // The Invoke API finds no function before the runtime has started.
  const findFunction = (name: string) =>
    [...(current.runtime?.functions.values() ?? [])].find((fn) => fn.name === name);
  const lambdaApi = started.push(await startLambdaApi(findFunction, log, guard));
  const wiring: Wiring = {
    sqs,
    redis: { url: faults.redisUrl, mode: redis.mode },
    sqsEndpoint: faults.sqsEndpoint,
    secretsEndpoint: secretsEndpoint.endpoint,
    lambdaEndpoint: lambdaApi.endpoint,
    credentials,
    secrets: (model) => {
      current.secrets = localSecrets(model.secrets, synth.stackName, process.env, state);
      return current.secrets;
    },
    faults: faults.config,
    log,
    report: observedReport(
      observation,
      options.onReport ?? ((name, report) => log(name, reportLine(report), "stdout")),
    ),
    spans: spanSink(observation),
    observation,
    functionConcurrency: options.functionConcurrency ?? API_FUNCTION_CONCURRENCY,
    pollers: options.pollers ?? true,
    inspect: options.inspect,
  };
  return { wiring, lambdaApi, secretsEndpoint: secretsEndpoint.endpoint };
}

/** API Gateway in front of whichever runtime is current. */
function serveApi(
  options: LocalModeOptions,
  current: Current,
  apiKey: string,
  wiring: Wiring,
): Promise<LocalApiGateway> {
  const runtime = () => current.runtime as Runtime;
  return startApiGateway({
    port: options.port ?? 3000,
    host: options.host ?? "127.0.0.1",
    routes: runtime().model.routes,
    invoke: (functionLogicalId, event, { idempotent }) =>
      invokeFunction(runtime().functions, functionLogicalId, event, idempotent),
    onRequest: options.onRequest,
    pathPrefix: options.pathPrefix,
    apiKeys: () => (runtime().model.apiKeys.length > 0 ? [apiKey] : []),
    allowedHosts: options.allowedHosts,
    traces: wiring.observation.traces,
  });
}

/** The local console, over whichever runtime is current; its URL ("" when there is none). */
async function serveConsole(
  options: LocalModeOptions,
  started: StopStack,
  current: Current,
  wiring: Wiring,
): Promise<string> {
  if (options.serve === false || options.console === false) return "";
  const stack = {
    functionNames: () => (current.runtime?.model.functions ?? []).map((fn) => fn.name),
    queues: () => current.runtime?.queues ?? new Map<string, LocalQueue>(),
    sqsEndpoint: wiring.sqs.endpoint,
  };
  const localConsole = await startLocalConsole(wiring.observation, stack, {
    port: 0,
    host: options.host ?? "127.0.0.1",
    allowedHosts: options.allowedHosts ?? [],
    ...options.console,
  });
  return started.push(localConsole).url;
}

/** What `startLocalMode` hands back: where everything is, reading the current runtime on each access. */
function localModeHandle(
  handle: {
    synth: SynthResult;
    redis: LocalRedis;
    sqs: EmbeddedAws;
    lambdaApi: LocalLambdaApi;
    secretsEndpoint: string;
    credentials: Wiring["credentials"];
    gateway: LocalApiGateway | undefined;
    consoleUrl: string;
    apiKey: string;
    current: Current;
    state: LocalState;
    stop: () => Promise<void>;
  },
  resynthesizeAndSwap: () => Promise<SynthResult>,
): LocalMode {
  const { current } = handle;
  const runtime = () => current.runtime as Runtime;
  const mode: LocalMode = {
    apiUrl: handle.gateway?.url ?? "",
    consoleUrl: handle.consoleUrl,
    state: handle.state,
    sqsEndpoint: handle.sqs.endpoint,
    redis: handle.redis,
    synth: handle.synth,
    get model() {
      return runtime().model;
    },
    get queues() {
      return runtime().queues;
    },
    get buckets() {
      return runtime().buckets;
    },
    get pollers() {
      return runtime().pollers;
    },
    get functions() {
      return runtime().functions;
    },
    get secrets() {
      return current.secrets;
    },
    get apiKey() {
      return runtime().model.apiKeys.length > 0 ? handle.apiKey : undefined;
    },
    lambdaApi: handle.lambdaApi,
    secretsEndpoint: handle.secretsEndpoint,
    credentials: handle.credentials,
    async reload() {
      mode.synth = await resynthesizeAndSwap();
      return mode.synth;
    },
    stop: handle.stop,
  };
  return mode;
}

/** What local mode has started, stopped last-started first. */
class StopStack {
  private readonly stops: (() => Promise<void>)[] = [];

  push<T extends { stop(): Promise<void> }>(thing: T): T {
    this.stops.push(() => thing.stop());
    return thing;
  }

  /**
   * Awaits starts that run side by side, pushing each one that succeeds (a synth has nothing to
   * stop); the first failure is thrown once all have settled.
   */
  async all<T extends readonly unknown[]>(starts: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
    const settled = await Promise.allSettled(starts);
    for (const result of settled) {
      const value =
        result.status === "fulfilled" ? (result.value as { stop?: () => Promise<void> }) : undefined;
      if (typeof value?.stop === "function") this.push(value as { stop(): Promise<void> });
    }
    const failed = settled.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as {
      -readonly [K in keyof T]: Awaited<T[K]>;
    };
  }

  async stopAll(): Promise<void> {
    while (this.stops.length > 0) await this.stops.pop()?.();
  }
}

interface Runtime {
  model: StackModel;
  queues: Map<string, LocalQueue>;
  buckets: Map<string, string>;
  functions: Map<string, LocalFunction>;
  pollers: SqsPoller[];
}

/** How the functions reach their dependencies: directly, or through the fault proxies. */
interface Wiring {
  sqs: EmbeddedAws;
  redis: { url: string; mode: LocalRedis["mode"] };
  sqsEndpoint: string;
  secretsEndpoint: string;
  lambdaEndpoint: string;
  /** What the functions sign their AWS calls with (runCredentials). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Gives the template's secrets their local values. */
  secrets: (model: StackModel) => LocalSecret[];
  faults: Faults;
  log: NonNullable<LocalModeOptions["onLog"]>;
  report: NonNullable<LocalModeOptions["onReport"]>;
  /** Where the functions' own spans go (none recorded when undefined). */
  spans: LocalFunctionOptions["onSpans"];
  /** What the console shows (local/console/), traces included. */
  observation: Observation;
  functionConcurrency: number;
  pollers: boolean;
  inspect: LocalModeOptions["inspect"];
}

/** Starts the proxies the faults need; returns the addresses the functions should use. */
async function startFaults(config: Faults, redis: LocalRedis, sqsEndpoint: string) {
  const stops: (() => Promise<void>)[] = [];
  let functionRedisUrl = redis.url;
  if (config.redisLatencyMs > 0 || config.redisDropEveryMs > 0) {
    // A cluster's clients connect to the node addresses it reports, around any one proxy.
    if (redis.mode === "cluster") throw new Error("the Redis faults need a single Redis, not a cluster");
    const target = new URL(redis.url);
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379));
    proxy.latencyMs = config.redisLatencyMs;
    const dropper =
      config.redisDropEveryMs > 0
        ? setInterval(() => proxy.dropConnections(), config.redisDropEveryMs)
        : undefined;
    functionRedisUrl = `redis://127.0.0.1:${proxy.port}`;
    stops.push(async () => {
      clearInterval(dropper);
      await proxy.close();
    });
  }
  let functionSqsEndpoint = sqsEndpoint;
  let awsProxy: AwsFaultProxy | undefined;
  if (config.sqsSendFailureRate > 0 || config.archiveWriteFailureRate > 0) {
    awsProxy = await startAwsFaultProxy(sqsEndpoint, config);
    functionSqsEndpoint = awsProxy.endpoint;
    stops.push(() => (awsProxy as AwsFaultProxy).stop());
  }
  return {
    config,
    redisUrl: functionRedisUrl,
    sqsEndpoint: functionSqsEndpoint,
    stop: async () => {
      await Promise.all(stops.map((stop) => stop()));
    },
  };
}

async function startRuntime(synth: SynthResult, wiring: Wiring): Promise<Runtime> {
  const model = readTemplate(synth.template, synth.directory);
  const queues = await wiring.sqs.ensureQueues(model.queues, synth.stackName);
  const buckets = await wiring.sqs.ensureBuckets(model.buckets, synth.stackName);
  const resolver = resolverFor(model, queues, buckets, wiring.secrets(model));
  const inspected = wiring.inspect ? functionNamed(model.functions, wiring.inspect.function) : undefined;
  if (wiring.inspect && !inspected) throw new UnknownFunctionError(wiring.inspect.function, model.functions);
  const functions = new Map(
    model.functions.map((fn) => {
      const inspect =
        fn === inspected && wiring.inspect
          ? { port: wiring.inspect.port, wait: wiring.inspect.wait ?? false }
          : undefined;
      return [
        fn.logicalId,
        new LocalFunction({
          model: inspect
            ? { ...fn, entryFile: debuggableBundle(fn.entryFile, synth.directory, fn.logicalId) }
            : fn,
          environment: functionEnvironment(fn, resolver, wiring),
          onLog: wiring.log,
          onReport: wiring.report,
          onSpans: wiring.spans,
          // One environment under a debugger: one inspector port.
          concurrency: inspect ? 1 : concurrencyOf(fn, model, wiring.functionConcurrency),
          inspect,
          // A debugger stays attached however long the developer looks: never reaped.
          ...(inspect ? { idleMs: Number.POSITIVE_INFINITY } : {}),
        }),
      ];
    }),
  );
  if (inspected) functions.get(inspected.logicalId)?.warm(); // its inspector listens from the start
  const pollers = wiring.pollers
    ? model.mappings.map((mapping) => startPoller(mapping, queues, functions, wiring))
    : [];
  return { model, queues, buckets, functions, pollers };
}

/** What `Ref` and `Fn::GetAtt` in a function's environment resolve to here. */
function resolverFor(
  model: StackModel,
  queues: Map<string, LocalQueue>,
  buckets: Map<string, string>,
  secrets: readonly LocalSecret[],
): ResolverContext {
  return {
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    refs: {
      ...Object.fromEntries([...queues].map(([id, queue]) => [id, queue.url])),
      ...Object.fromEntries(secrets.map((secret) => [secret.logicalId, secret.arn])),
      ...Object.fromEntries(model.functions.map((fn) => [fn.logicalId, fn.name])),
      ...Object.fromEntries(buckets),
    },
    attributes: Object.fromEntries([
      ...[...queues].flatMap(([id, queue]) => [
        [`${id}.Arn`, queue.arn],
        [`${id}.QueueName`, queue.name],
        [`${id}.QueueUrl`, queue.url],
      ]),
      ...[...buckets].map(([id, name]) => [`${id}.Arn`, `arn:aws:s3:::${name}`]),
    ]),
  };
}

/** The template's environment, resolved, plus what Lambda's runtime sets. */
function functionEnvironment(
  fn: FunctionModel,
  resolver: ResolverContext,
  wiring: Wiring,
): Record<string, string> {
  return {
    ...resolveEnvironment(withLocalRedis(fn.environment, wiring.redis), resolver, fn.name),
    // What LocalStack does too: the SDK inside the function reaches the local endpoints.
    ...localAwsEnvironment(
      { all: wiring.sqsEndpoint, secretsManager: wiring.secretsEndpoint, lambda: wiring.lambdaEndpoint },
      wiring.credentials,
    ),
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
    TZ: "UTC",
    PATH: process.env.PATH ?? "",
  };
}

function startPoller(
  mapping: MappingModel,
  queues: Map<string, LocalQueue>,
  functions: Map<string, LocalFunction>,
  wiring: Wiring,
): SqsPoller {
  const queue = queues.get(mapping.queueLogicalId);
  const fn = functions.get(mapping.functionLogicalId);
  if (!queue || !fn)
    throw new Error(`event source mapping to ${mapping.functionLogicalId}: queue or function missing`);
  const poller = new SqsPoller({
    sqs: wiring.sqs.client,
    queue,
    mapping,
    region: LOCAL_REGION,
    invoke: tracedBatches(
      wiring.observation.traces,
      { queue: queue.model.name, function: fn.name },
      withInjectedCrashes(fn, wiring.faults.crashConsumerRate),
    ),
    deliverTwice: wiring.faults.duplicateDelivery,
    onBatchProblem: (message) => wiring.log(`${fn.name} <- ${queue.model.name}`, message, "stderr"),
  });
  poller.start();
  return poller;
}

/** FAULT_CRASH_CONSUMER: a share of invocations crash their environment somewhere mid-batch. */
function withInjectedCrashes(
  fn: LocalFunction,
  rate: number,
): (event: SQSEvent, options: InvokeOptions) => Promise<unknown> {
  if (rate <= 0) return (event, options) => fn.invoke(event, options);
  return (event, options) =>
    fn.invoke(event, { ...options, crashAfterMs: Math.random() < rate ? Math.random() * 10 : undefined });
}

/**
 * Local mode's Redis contract: a function whose template environment names a Redis (REDIS_URL or
 * REDIS_SECRET_ID) gets local mode's Redis instead, as REDIS_URL and REDIS_MODE; whatever the
 * template says (an ElastiCache endpoint, a secret) is not reachable from here.
 */
function withLocalRedis(
  environment: Record<string, unknown>,
  redis: Wiring["redis"],
): Record<string, unknown> {
  if (!("REDIS_URL" in environment) && !("REDIS_SECRET_ID" in environment)) return environment;
  const { REDIS_SECRET_ID: _secret, ...rest } = environment;
  return { ...rest, REDIS_URL: redis.url, REDIS_MODE: redis.mode };
}

async function stopRuntime(runtime: Runtime): Promise<void> {
  await Promise.all(runtime.pollers.map((poller) => poller.stop()));
  await Promise.all([...runtime.functions.values()].map((fn) => fn.stop()));
}

/**
 * Ctrl-C (SIGINT) and SIGTERM stop local mode, even while it is still starting (then once it has
 * started): its own Redis runs in a session of its own, so that a Ctrl-C reaches local mode first
 * and Redis stops after saving its data, and nothing else would stop it. `stopped` runs once local
 * mode has stopped (or failed to start); signals that come meanwhile wait with the first. Returns
 * whether a signal has come (a start it cut short fails: that is no error to report).
 */
export function stopOnSignals(
  starting: Promise<Pick<LocalMode, "stop">>,
  { onSignal, stopped }: { onSignal?: () => void; stopped: (signal: NodeJS.Signals) => void },
): () => boolean {
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, async () => {
      if (stopping) return;
      stopping = true;
      onSignal?.();
      const mode = await starting.catch(() => undefined);
      await mode?.stop();
      stopped(signal);
    });
  }
  return () => stopping;
}

/**
 * Execution environments of each function behind the API, unless `functionConcurrency` says
 * otherwise. Lambda would start one per concurrent request; here each costs some tens of MB, and
 * requests past them wait (up to lambda-runtime's DEFAULT_MAX_WAITING, then 429). A read spends
 * most of its time waiting on Redis, so two per core keep the cores busy: on 2 cores, 4 served
 * about 25% more reads a second than 2, and 6 no more than 4 (docs/performance.md). They start
 * only when requests overlap, and are reaped when idle.
 */
export const API_FUNCTION_CONCURRENCY = Math.max(2, 2 * availableParallelism());

/**
 * A function's concurrency, as Lambda would bound it: its reserved concurrency if the template
 * sets one, else its event sources' maximum concurrency (the consumer), else the API's.
 */
function concurrencyOf(fn: FunctionModel, model: StackModel, apiConcurrency: number): number {
  if (fn.reservedConcurrency !== undefined) return Math.max(1, fn.reservedConcurrency);
  const mappings = model.mappings.filter((mapping) => mapping.functionLogicalId === fn.logicalId);
  if (mappings.length > 0)
    return mappings.reduce((sum, mapping) => sum + (mapping.maxConcurrency ?? DEFAULT_POLLERS), 0);
  return apiConcurrency;
}

/** A REPORT as Lambda's JSON log format writes it; logs.ts prints it as Lambda's text line. */
function reportLine(report: InvocationReport): string {
  return JSON.stringify({ time: new Date().toISOString(), type: "platform.report", record: report });
}

function invokeFunction(
  functions: Map<string, LocalFunction>,
  logicalId: string,
  event: APIGatewayProxyEvent,
  idempotent: boolean,
): Promise<unknown> {
  const fn = functions.get(logicalId);
  if (!fn) return Promise.reject(new Error(`no function ${logicalId}`));
  // API Gateway's trace, which it passes on in this header (local/api-gateway.ts)
  return fn.invoke(event, {
    requestId: event.requestContext.requestId,
    idempotent,
    traceHeader: event.headers["X-Amzn-Trace-Id"],
  });
}
