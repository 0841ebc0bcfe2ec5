import { setTimeout as sleep } from "node:timers/promises";
import type { InvokeOptions, LocalFunction } from "./lambda-runtime.ts";
import {
  type EndpointGuard,
  jsonBody,
  type LocalEndpoint,
  replyJson,
  startLocalEndpoint,
} from "./local-endpoint.ts";

/**
 * Lambda's Invoke API for the functions themselves (AWS_ENDPOINT_URL_LAMBDA points here), so that
 * a function that starts another through the real SDK works as on AWS: `Event` invocations are
 * queued and answered 202 at once, then retried twice on failure, as Lambda retries asynchronous
 * invocations; `RequestResponse` answers with the function's result.
 */

export interface LocalLambdaApi extends LocalEndpoint {
  /** Resolves when every queued asynchronous invocation has finished (tests, shutdown). */
  idle(): Promise<void>;
}

/** Waits before the two retries of a failed asynchronous invocation (Lambda waits 1, then 2 minutes). */
const ASYNC_RETRY_DELAYS_MS = [1_000, 2_000];
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startLambdaApi(
  findFunction: (name: string) => LocalFunction | undefined,
  log: (source: string, line: string, stream: "stdout" | "stderr") => void,
  guard: EndpointGuard,
): Promise<LocalLambdaApi> {
  const running = new Set<Promise<void>>();

  const runAsync = (fn: LocalFunction, event: unknown, options: InvokeOptions) => {
    const run = invokeWithRetries(fn, event, options, log).finally(() => running.delete(run));
    running.add(run);
  };
  const endpoint = await startLocalEndpoint(
    async (request, body, response) => {
      const reply = (status: number, answer: unknown, headers: Record<string, string> = {}) =>
        replyJson(response, status, answer, "application/json", headers);
      const match = INVOKE_PATH.exec(new URL(request.url ?? "/", "http://local").pathname);
      if (request.method !== "POST" || !match) {
        reply(400, { Type: "User", message: "local mode serves Invoke only" });
        return;
      }
      const requested = decodeURIComponent(match[1] as string);
      const fn = findFunction(functionNameOf(requested));
      if (!fn) {
        const notFound = { "x-amzn-errortype": "ResourceNotFoundException" };
        reply(404, { Type: "User", message: `Function not found: ${requested}` }, notFound);
        return;
      }
      const event = jsonBody(body, "InvalidRequestContentException");
      // The caller's trace (the SDK sends it from _X_AMZN_TRACE_ID), continued as Lambda does.
      const options = { traceHeader: request.headers["x-amzn-trace-id"]?.toString() };
      if (request.headers["x-amz-invocation-type"] === "Event") {
        runAsync(fn, event, options);
        reply(202, undefined);
        return;
      }
      try {
        reply(200, (await fn.invoke(event, options)) ?? null);
      } catch (error) {
        const { name, message } = error as Error;
        reply(200, { errorType: name, errorMessage: message }, { "x-amz-function-error": "Unhandled" });
      }
    },
    guard,
    // Lambda's error shape: the type in a header and the body.
    (response, status, code, message) =>
      replyJson(response, status, { Type: "User", message }, "application/json", {
        "x-amzn-errortype": code,
      }),
  );
  return {
    ...endpoint,
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

/** A name, or an ARN ending in `:function:<name>` (optionally `:<qualifier>`): the name. */
function functionNameOf(requested: string): string {
  return requested.includes(":function:")
    ? (requested.split(":function:")[1]?.split(":")[0] ?? "")
    : requested;
}

/** An asynchronous invocation, retried as Lambda retries one (twice, after a delay), then dropped. */
async function invokeWithRetries(
  fn: LocalFunction,
  event: unknown,
  options: InvokeOptions,
  log: (source: string, line: string, stream: "stdout" | "stderr") => void,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fn.invoke(event, options);
      return;
    } catch (error) {
      const delay = ASYNC_RETRY_DELAYS_MS[attempt];
      const what = `asynchronous invocation failed (${(error as Error).message})`;
      if (delay === undefined) {
        log(fn.name, `${what}; no retries left, the event is dropped`, "stderr");
        return;
      }
      log(fn.name, `${what}; retrying in ${delay / 1000} s`, "stderr");
      await sleep(delay);
    }
  }
}
