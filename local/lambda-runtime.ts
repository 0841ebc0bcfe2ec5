import { randomUUID } from "node:crypto";
import { Worker } from "node:worker_threads";
import type { FunctionModel } from "./template";

/**
 * A function of the stack, run like Lambda runs it: its bundled asset in its own worker thread
 * (its own module scope and environment variables), an invocation timeout, and a fresh
 * environment after a timeout or crash. Invocations may overlap, as on a Lambda with several
 * warm environments; the handlers keep no per-invocation state at module scope.
 */

export interface InvocationError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export class FunctionError extends Error {
  override name = "FunctionError";
  constructor(
    readonly functionName: string,
    readonly detail: InvocationError,
  ) {
    super(`${functionName} failed: ${detail.errorType}: ${detail.errorMessage}`);
  }
}

export class FunctionTimeoutError extends Error {
  override name = "FunctionTimeoutError";
}

export interface LocalFunctionOptions {
  model: FunctionModel;
  environment: Record<string, string>;
  /** Receives the worker's stdout and stderr, one line at a time. */
  onLog: (functionName: string, line: string, stream: "stdout" | "stderr") => void;
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

export class LocalFunction {
  readonly name: string;
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stopped = false;

  constructor(private readonly options: LocalFunctionOptions) {
    this.name = options.model.name;
  }

  /** Invocations started and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Starts the environment now (a cold start), instead of on the first invocation. */
  warm(): Promise<void> {
    this.ready ??= this.start();
    return this.ready;
  }

  async invoke(event: unknown, requestId: string = randomUUID()): Promise<unknown> {
    if (this.stopped) throw new Error(`${this.name} is stopped`);
    await this.warm();
    const worker = this.worker as Worker;
    const id = this.nextId++;
    const timeoutMs = this.options.model.timeoutSeconds * 1000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new FunctionTimeoutError(`${this.name} timed out after ${this.options.model.timeoutSeconds} s`),
        );
        // Like Lambda: a timed-out environment is not reused.
        this.restart();
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, event, requestId, deadline: Date.now() + timeoutMs });
    });
  }

  /** Kills the environment now, as a crash would: invocations in flight fail. */
  crash(): void {
    void this.terminate(
      new FunctionError(this.name, {
        errorType: "Runtime.ExitError",
        errorMessage: "environment crashed (injected)",
        trace: [],
      }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.terminate(new Error(`${this.name} stopped`));
  }

  private start(): Promise<void> {
    const { model, environment, onLog } = this.options;
    const worker = new Worker(new URL("./lambda-worker.mjs", import.meta.url), {
      workerData: {
        entryFile: model.entryFile,
        handlerExport: model.handlerExport,
        functionName: model.name,
        memoryMb: model.memoryMb,
        logGroupName: `/aws/lambda/${model.name}`,
      },
      env: environment,
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(model.memoryMb, 128) },
    });
    this.worker = worker;
    pipeLines(worker.stdout, (line) => onLog(model.name, line, "stdout"));
    pipeLines(worker.stderr, (line) => onLog(model.name, line, "stderr"));
    return new Promise((resolve, reject) => {
      worker.on(
        "message",
        (message: { ready?: true; id?: number; result?: unknown; error?: InvocationError }) => {
          if (message.ready) {
            resolve();
            return;
          }
          const pending = this.pending.get(message.id as number);
          if (!pending) return; // timed out already
          this.pending.delete(message.id as number);
          clearTimeout(pending.timer);
          if (message.error) pending.reject(new FunctionError(model.name, message.error));
          else pending.resolve(message.result);
        },
      );
      worker.on("error", (error) => {
        // Init errors (a bad bundle, invalid configuration) and crashes end up here.
        onLog(model.name, `environment crashed: ${error.stack ?? error.message}`, "stderr");
        reject(error);
        this.failAll(
          new FunctionError(model.name, {
            errorType: "Runtime.ExitError",
            errorMessage: error.message,
            trace: [],
          }),
        );
        this.worker = undefined;
        this.ready = undefined;
      });
      worker.on("exit", () => {
        // An environment that ends before it is ready (killed during its cold start) must not
        // leave invocations waiting for it forever.
        reject(new Error(`${model.name}: environment exited before it was ready`));
        if (this.worker === worker) {
          this.worker = undefined;
          this.ready = undefined;
        }
        this.failAll(
          new FunctionError(model.name, {
            errorType: "Runtime.ExitError",
            errorMessage: "exited",
            trace: [],
          }),
        );
      });
    });
  }

  private restart(): void {
    void this.terminate(
      new FunctionError(this.name, {
        errorType: "Runtime.ExitError",
        errorMessage: "environment reset",
        trace: [],
      }),
    );
  }

  private async terminate(reason: Error): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    this.failAll(reason);
    if (worker) await worker.terminate();
  }

  private failAll(reason: Error): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(reason);
      this.pending.delete(id);
    }
  }
}

function pipeLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      onLine(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
    }
  });
  stream.on("end", () => {
    if (buffer) onLine(buffer);
  });
}
