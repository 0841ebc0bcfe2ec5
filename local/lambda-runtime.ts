import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { Worker } from "node:worker_threads";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "./embedded-aws.ts";
import type { FunctionModel } from "./template.ts";
import { type InvocationTrace, invocationTrace, type Span } from "./traces.ts";

/**
 * A function of the stack, run like Lambda runs it: a pool of execution environments, each a
 * worker thread with its own module scope and environment variables, each running one invocation
 * at a time. An environment starts when an invocation finds none free (a cold start, with its
 * init duration), up to the function's concurrency, and is reaped after it has sat idle. Its heap
 * is bounded by the function's MemorySize; an invocation that runs out of memory or time ends its
 * environment only, with Lambda's errors. Every invocation ends with a REPORT record.
 *
 * Where local mode differs: past its concurrency Lambda throttles at once, while here up to
 * `maxWaiting` invocations wait for a free environment first (so a laptop can run a load test
 * with a few environments); and Max Memory Used counts the environment's own heap and buffers,
 * not a whole process as Lambda's does.
 *
 * An idempotent invocation (a GET through API Gateway) that finds every environment busy may be
 * sent ahead to one of them: it starts there the moment the running one ends, still one at a
 * time, its Duration and timeout counted from then. That spares the environment a wait for a
 * round trip through the main thread between two invocations, which on a busy machine is a good
 * share of what a read costs. Should that environment end first (a timeout, a crash), the
 * invocation runs in another one.
 */

export interface InvocationError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export class FunctionError extends Error {
  override name = "FunctionError";
  readonly functionName: string;
  readonly detail: InvocationError;

  constructor(functionName: string, detail: InvocationError) {
    super(`${functionName} failed: ${detail.errorType}: ${detail.errorMessage}`);
    this.functionName = functionName;
    this.detail = detail;
  }
}

export class FunctionTimeoutError extends Error {
  override name = "FunctionTimeoutError";
}

/** An invocation sent ahead whose environment ended before it could start: another environment runs it. */
class NotStartedError extends Error {
  override name = "NotStartedError";
}

/** The function is at its concurrency and enough invocations already wait: API Gateway answers 429. */
export class ThrottledError extends Error {
  override name = "ThrottledError";
}

/** Lambda's REPORT line, as the fields of its JSON log format's `platform.report` record. */
export interface InvocationReport {
  requestId: string;
  status: "success" | "error" | "timeout";
  errorType?: string;
  metrics: {
    durationMs: number;
    billedDurationMs: number;
    memorySizeMB: number;
    maxMemoryUsedMB: number;
    /** Only on an environment's first invocation. */
    initDurationMs?: number;
  };
  /** The invocation's trace, as in Lambda's JSON `platform.report` (`spanId`: the invocation's span). */
  tracing?: { type: "X-Amzn-Trace-Id"; value: string; spanId: string };
}

export interface LocalFunctionOptions {
  model: FunctionModel;
  environment: Record<string, string>;
  /** Receives the environments' stdout and stderr, one line at a time. */
  onLog: (functionName: string, line: string, stream: "stdout" | "stderr") => void;
  /** Receives one report per invocation (REPORT); local mode prints them with the logs. */
  onReport?: (functionName: string, report: InvocationReport) => void;
  /** Receives the spans the function itself ended (OpenTelemetry's API); none are recorded without it. */
  onSpans?: (functionName: string, spans: Span[]) => void;
  /** Environments at most (Lambda's concurrency). */
  concurrency: number;
  /** Invocations that may wait for a busy environment before more are throttled. */
  maxWaiting?: number;
  /** How long an invocation may wait for an environment before it is throttled instead. */
  maxWaitMs?: number;
  /** An environment unused this long is ended. */
  idleMs?: number;
  /**
   * A debugger may attach to the environment: its inspector listens on this port of 127.0.0.1
   * (`wait`: the function's code runs only once one has attached). One environment at most, and
   * no timeout while it runs: a breakpoint may hold an invocation as long as the developer likes.
   */
  inspect?: { port: number; wait: boolean };
}

export interface InvokeOptions {
  requestId?: string;
  /**
   * Running it twice does what running it once does (a read): it may be sent ahead to a busy
   * environment, and run again elsewhere if that environment ends around the time it starts.
   */
  idempotent?: boolean;
  /** Fault injection: the environment running this invocation crashes this many ms into it. */
  crashAfterMs?: number;
  /** The caller's `X-Amzn-Trace-Id` (API Gateway's, an SQS batch's); else a new trace. */
  traceHeader?: string;
}

/** Invocations that may wait for an environment, per function, unless told otherwise. */
const DEFAULT_MAX_WAITING = 64;
/**
 * How long one may wait, unless told otherwise: well inside API Gateway's 29 s integration
 * timeout, so a request either runs with time to spare or is refused (429) having done nothing.
 */
const DEFAULT_MAX_WAIT_MS = 10_000;
/** How long an unused environment lives (Lambda keeps them for minutes; a laptop wants memory back). */
const DEFAULT_IDLE_MS = 60_000;
/**
 * The young generation of each environment's heap. V8 would size it from the heap limit (128 MB
 * for a 512 MB function) and fill it during init; 8 MB keeps an environment at a few tens of MB
 * for a few more minor collections. The old generation gets the rest of MemorySize.
 */
const YOUNG_GENERATION_MB = 8;

export class LocalFunction {
  readonly name: string;
  private readonly environments = new Set<ExecutionEnvironment>();
  /** Free environments, the most recently used last (used first, so the others can be reaped). */
  private readonly free: ExecutionEnvironment[] = [];
  private readonly waiting: Waiter[] = [];
  private readonly reaper: NodeJS.Timeout;
  private stopped = false;
  private readonly options: LocalFunctionOptions;

  constructor(options: LocalFunctionOptions) {
    this.options = options;
    this.name = options.model.name;
    const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.reaper = setInterval(() => this.reapIdle(idleMs), Math.min(idleMs, 5_000));
    this.reaper.unref();
  }

  /** Environments alive (busy, free or starting). */
  get environmentCount(): number {
    return this.environments.size;
  }

  /** Invocations running or waiting for an environment (sent ahead to one included). */
  get inFlight(): number {
    let sentAhead = 0;
    for (const environment of this.environments) if (environment.invocations > 1) sentAhead += 1;
    return this.environments.size - this.free.length + sentAhead + this.waiting.length;
  }

  async invoke(event: unknown, options: InvokeOptions = {}): Promise<unknown> {
    const requestId = options.requestId ?? randomUUID();
    for (;;) {
      if (this.stopped) throw new Error(`${this.name} is stopped`);
      const environment = await this.acquire(options.idempotent === true);
      try {
        return await environment.invoke(event, requestId, options);
      } catch (error) {
        if (!(error instanceof NotStartedError)) throw error;
      } finally {
        this.release(environment);
      }
    }
  }

  /** Starts an environment now, before any invocation (one a debugger attaches to waits for none). */
  warm(): void {
    if (this.environments.size === 0 && !this.stopped) this.free.push(this.startEnvironment());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.reaper);
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error(`${this.name} is stopped`));
    await Promise.all([...this.environments].map((environment) => environment.end()));
    this.environments.clear();
    this.free.length = 0;
  }

  private acquire(idempotent: boolean): Promise<ExecutionEnvironment> {
    let reused = this.free.pop();
    while (reused && !reused.usable) {
      this.environments.delete(reused); // ended while free (an uncaught error in the background)
      reused = this.free.pop();
    }
    if (reused) return Promise.resolve(reused.take());
    if (this.environments.size < this.options.concurrency)
      return Promise.resolve(this.startEnvironment().take());
    const ahead = idempotent ? this.withRoomAhead() : undefined;
    if (ahead) return Promise.resolve(ahead.take());
    const throttled = () =>
      new ThrottledError(`${this.name} is at its concurrency (${this.options.concurrency})`);
    if (this.waiting.length >= (this.options.maxWaiting ?? DEFAULT_MAX_WAITING))
      return Promise.reject(throttled());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        idempotent,
        resolve: (environment) => {
          clearTimeout(waiter.timer);
          resolve(environment);
        },
        reject: (error) => {
          clearTimeout(waiter.timer);
          reject(error);
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(throttled());
        }, this.options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS),
      };
      this.waiting.push(waiter);
    });
  }

  private release(environment: ExecutionEnvironment): void {
    environment.invocations -= 1;
    if (!environment.usable) {
      // Ended by a timeout, a crash or running out of memory: its slot goes to a new environment
      // (once: an invocation sent ahead to it is released too).
      if (!this.environments.delete(environment)) return;
      const next = this.waiting.shift();
      if (next && !this.stopped) next.resolve(this.startEnvironment().take());
      return;
    }
    if (environment.invocations > 0) {
      // The one sent ahead runs now: the room ahead of it is open again.
      if (this.waiting[0]?.idempotent && this.canRunAhead(environment))
        this.waiting.shift()?.resolve(environment.take());
      return;
    }
    const next = this.waiting.shift();
    if (next) next.resolve(environment.take());
    else this.free.push(environment);
  }

  /** A busy environment with no invocation sent ahead to it yet, if any. */
  private withRoomAhead(): ExecutionEnvironment | undefined {
    for (const environment of this.environments) if (this.canRunAhead(environment)) return environment;
    return undefined;
  }

  /** Running one invocation, initialised, and not under a debugger (whose pauses would hold the next). */
  private canRunAhead(environment: ExecutionEnvironment): boolean {
    return (
      environment.invocations === 1 && environment.initialised && environment.usable && !this.options.inspect
    );
  }

  private startEnvironment(): ExecutionEnvironment {
    const environment = new ExecutionEnvironment(this.options);
    this.environments.add(environment);
    return environment;
  }

  private reapIdle(idleMs: number): void {
    const cutoff = performance.now() - idleMs;
    for (const environment of this.free.filter((candidate) => candidate.lastUsed < cutoff)) {
      this.free.splice(this.free.indexOf(environment), 1);
      this.environments.delete(environment);
      void environment.end();
    }
  }
}

interface Waiter {
  /** May be sent ahead to a busy environment (see InvokeOptions). */
  idempotent: boolean;
  resolve: (environment: ExecutionEnvironment) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

type Outcome =
  | { kind: "result"; value: unknown }
  | { kind: "error"; error: Error; errorType: string; status: "error" | "timeout" }
  /** Sent ahead, and its environment ended before it started. */
  | { kind: "not-started" };

/** An invocation given to an environment: running, or sent ahead and waiting for its turn. */
interface Invocation {
  /** When it started running (Duration and the timeout count from here). */
  startedAt: number;
  start(): void;
  finish(outcome: Outcome): void;
}

/** One worker thread: init once, then one invocation at a time until it is ended. */
class ExecutionEnvironment {
  lastUsed = performance.now();
  /** Invocations given to it and not yet released: 0 (free), 1 (running), 2 (one sent ahead). */
  invocations = 0;
  /** Its init has succeeded. */
  initialised = false;
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private initDurationMs: number | undefined;
  private initReported = false;
  private maxMemoryUsedMb = 0;
  private ended = false;
  /** The invocation running now, then the one sent ahead to it, if any. */
  private readonly queue: Invocation[] = [];
  private death: InvocationError | undefined;
  private readonly options: LocalFunctionOptions;

  constructor(options: LocalFunctionOptions) {
    this.options = options;
    const { model, onLog } = options;
    const startedAt = performance.now();
    this.worker = spawnWorker(options);
    pipeLines(this.worker.stdout, (line) => onLog(model.name, line, "stdout"));
    pipeLines(this.worker.stderr, (line) => onLog(model.name, line, "stderr"));
    this.ready = new Promise((resolve, reject) => {
      this.worker.on("message", (message: FromEnvironment) => {
        if ("memoryUsedMb" in message)
          this.maxMemoryUsedMb = Math.max(this.maxMemoryUsedMb, message.memoryUsedMb);
        if ("spans" in message && message.spans) options.onSpans?.(model.name, message.spans);
        switch (message.type) {
          case "ready":
            this.initDurationMs = performance.now() - startedAt;
            this.initialised = true;
            resolve();
            break;
          case "init-error":
            this.initDurationMs = performance.now() - startedAt;
            this.death = message.error;
            reject(new FunctionError(model.name, message.error));
            void this.end();
            break;
          case "error":
            this.settle(failed(new FunctionError(model.name, message.error), message.error));
            break;
          case "result":
            this.settle({ kind: "result", value: message.value });
            break;
        }
      });
      this.worker.on("error", (error: Error & { code?: string }) => this.died(error));
      this.worker.on("exit", () => {
        this.ended = true;
        const death = this.deathOrExit();
        reject(new FunctionError(model.name, death));
        this.settle(failed(new FunctionError(model.name, death), death));
      });
    });
    this.ready.catch(() => {}); // reported through the invocation that awaits it
  }

  /** False once it has ended: it takes no more invocations. */
  get usable(): boolean {
    return !this.ended;
  }

  /** Counts an invocation given to it (LocalFunction releases it when it is done). */
  take(): this {
    this.invocations += 1;
    return this;
  }

  async invoke(event: unknown, requestId: string, options: InvokeOptions): Promise<unknown> {
    const trace = invocationTrace(options.traceHeader);
    let started = performance.now();
    let outcome: Outcome;
    try {
      await this.ready;
      if (this.ended) throw new FunctionError(this.options.model.name, this.deathOrExit());
      const ran = await this.run(event, requestId, options.crashAfterMs, trace.functionHeader);
      outcome = ran.outcome;
      started = ran.startedAt; // Lambda's Duration leaves out the init phase and the turn waited
    } catch (initError) {
      const errorType = (initError as FunctionError).detail?.errorType ?? "Runtime.Unknown";
      outcome = { kind: "error", error: initError as Error, errorType, status: "error" };
    }
    if (outcome.kind === "not-started") throw new NotStartedError(requestId);
    this.lastUsed = performance.now();
    this.report(requestId, outcome, this.lastUsed - started, trace);
    if (outcome.kind === "error") throw outcome.error;
    return outcome.value;
  }

  /**
   * One invocation in the worker, sent at once and started now or, sent ahead, when the one
   * before it settles; settled by its answer, its timeout, or the environment's end.
   */
  private run(
    event: unknown,
    requestId: string,
    crashAfterMs: number | undefined,
    traceHeader: string,
  ): Promise<{ outcome: Outcome; startedAt: number }> {
    // Under a debugger the deadline is a day away: getRemainingTimeInMillis() still counts down.
    const timeoutMs = this.options.inspect ? 24 * 3600_000 : this.options.model.timeoutSeconds * 1000;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let crash: NodeJS.Timeout | undefined;
      const invocation: Invocation = {
        startedAt: 0,
        start: () => {
          invocation.startedAt = performance.now();
          if (!this.options.inspect) timer = setTimeout(() => this.timeOut(requestId), timeoutMs);
          if (crashAfterMs !== undefined) crash = setTimeout(() => this.crash(), crashAfterMs);
        },
        finish: (outcome) => {
          clearTimeout(timer);
          clearTimeout(crash);
          resolve({ outcome, startedAt: invocation.startedAt });
        },
      };
      this.queue.push(invocation);
      if (this.queue.length === 1) invocation.start();
      // As JSON text, as Lambda's runtime API hands an event to a function: the function gets what
      // JSON can carry, and the main thread posts a string instead of cloning an object graph
      // (about a third of the cost, and the event is most of what a read's dispatch costs it).
      this.worker.postMessage(JSON.stringify({ type: "invoke", event, requestId, timeoutMs, traceHeader }));
    });
  }

  /**
   * The running invocation's outcome; the one sent ahead starts now (the worker has started it
   * already), or, when the environment has ended, never starts here.
   */
  private settle(outcome: Outcome): void {
    this.queue.shift()?.finish(outcome);
    if (this.ended) for (const ahead of this.queue.splice(0)) ahead.finish({ kind: "not-started" });
    else this.queue[0]?.start();
  }

  /** Like Lambda: the invocation fails with its message, and a timed-out environment is not reused. */
  private timeOut(requestId: string): void {
    const { model, onLog } = this.options;
    const message = `Task timed out after ${model.timeoutSeconds.toFixed(2)} seconds`;
    onLog(model.name, `${new Date().toISOString()} ${requestId} ${message}`, "stdout");
    this.ended = true; // before settling: the one sent ahead must not start here
    this.settle({
      kind: "error",
      error: new FunctionTimeoutError(message),
      errorType: "Sandbox.Timedout",
      status: "timeout",
    });
    void this.end();
  }

  /**
   * FAULT_CRASH_CONSUMER: the environment dies mid-invocation. It exits itself at its next task
   * boundary, as a process that crashes does: terminating a thread at an arbitrary point of its
   * code can land inside Node's own zlib set-up (the archive's gzip), which aborts the whole
   * process ("close before init"). Terminated only if it has not exited within a second.
   */
  private crash(): void {
    this.death = {
      errorType: "Runtime.ExitError",
      errorMessage: "environment crashed (injected)",
      trace: [],
    };
    this.ended = true;
    this.post({ type: "crash" });
    setTimeout(() => void this.end(), CRASH_GRACE_MS).unref();
  }

  /** Out of memory, or an exception no handler caught: the environment is gone. */
  private died(error: Error & { code?: string }): void {
    const { model, onLog } = this.options;
    this.death =
      error.code === "ERR_WORKER_OUT_OF_MEMORY"
        ? {
            errorType: "Runtime.OutOfMemory",
            errorMessage: `Runtime exited with error: out of memory (MemorySize ${model.memoryMb} MB)`,
            trace: [],
          }
        : { errorType: "Runtime.ExitError", errorMessage: error.message, trace: [] };
    onLog(model.name, `environment ended: ${this.death.errorType}: ${error.message}`, "stderr");
  }

  /** Lambda's REPORT: init duration on the first invocation only. */
  private report(
    requestId: string,
    outcome: Exclude<Outcome, { kind: "not-started" }>,
    durationMs: number,
    trace: InvocationTrace,
  ): void {
    const { model, onReport } = this.options;
    onReport?.(model.name, {
      requestId,
      status: outcome.kind === "result" ? "success" : outcome.status,
      ...(outcome.kind === "error" ? { errorType: outcome.errorType } : {}),
      metrics: {
        durationMs: round2(durationMs),
        billedDurationMs: Math.max(1, Math.ceil(durationMs)),
        memorySizeMB: model.memoryMb,
        maxMemoryUsedMB: this.maxMemoryUsedMb,
        ...(this.initReported ? {} : { initDurationMs: round2(this.initDurationMs ?? 0) }),
      },
      tracing: { type: "X-Amzn-Trace-Id", value: trace.value, spanId: trace.spanId },
    });
    this.initReported = true;
  }

  private deathOrExit(): InvocationError {
    return this.death ?? { errorType: "Runtime.ExitError", errorMessage: "exited", trace: [] };
  }

  async end(): Promise<void> {
    this.ended = true;
    // An attached debugger holds the thread: release it first (a worker that never loaded has none).
    if (this.options.inspect) await this.closeInspector();
    await this.worker.terminate();
  }

  private post(message: Exclude<ToEnvironment, { type: "invoke" }>): void {
    this.worker.postMessage(message);
  }

  private closeInspector(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.worker.off("message", onMessage);
        resolve();
      };
      const onMessage = (message: FromEnvironment) => {
        if (message.type === "inspector-closed") done();
      };
      const timer = setTimeout(done, 1_000); // gone already, or never listening
      this.worker.on("message", onMessage);
      this.post({ type: "close-inspector" });
    });
  }
}

/** A worker thread running the function's bundle, its heap bounded by the function's memory size. */
function spawnWorker({ model, environment, inspect, onSpans }: LocalFunctionOptions): Worker {
  return new Worker(new URL("./lambda-worker.mjs", import.meta.url), {
    workerData: {
      entryFile: model.entryFile,
      handlerExport: model.handlerExport,
      functionName: model.name,
      functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${model.name}`,
      memoryMb: model.memoryMb,
      logGroupName: `/aws/lambda/${model.name}`,
      logStreamName: `local/${randomUUID()}`,
      inspect,
      recordSpans: Boolean(onSpans),
    },
    // The thread's name as `top -H` shows it (15 characters at most).
    name: model.name,
    env: environment,
    stdout: true,
    stderr: true,
    resourceLimits: {
      maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
      maxOldGenerationSizeMb: Math.max(model.memoryMb - YOUNG_GENERATION_MB, 64),
    },
  });
}

function failed(error: Error, detail: InvocationError): Outcome {
  return { kind: "error", error, errorType: detail.errorType, status: "error" };
}

/** What an environment's thread (lambda-worker.mjs) tells local mode; `memoryUsedMb` feeds REPORT. */
type FromEnvironment =
  | { type: "ready"; memoryUsedMb: number }
  | { type: "init-error"; error: InvocationError }
  | { type: "result"; value: unknown; memoryUsedMb: number; spans?: Span[] }
  | { type: "error"; error: InvocationError; memoryUsedMb: number; spans?: Span[] }
  | { type: "inspector-closed" };

/** What local mode tells an environment's thread. */
/** How long an injected crash waits for the environment to exit by itself before ending it. */
const CRASH_GRACE_MS = 1_000;

type ToEnvironment =
  /** Sent as its JSON text (see run). */
  | { type: "invoke"; event: unknown; requestId: string; timeoutMs: number; traceHeader: string }
  | { type: "close-inspector" }
  | { type: "crash" };

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Each line an environment writes, as it comes (the last one too, without its newline). */
function pipeLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", onLine);
}
