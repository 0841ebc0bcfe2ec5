import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  FunctionError,
  FunctionTimeoutError,
  type InvocationReport,
  LocalFunction,
  type LocalFunctionOptions,
  ThrottledError,
} from "../../local/lambda-runtime";
import { reportText } from "../../local/logs";
import type { Span } from "../../local/traces";

/**
 * Local mode's Lambda runtime with real worker threads, on a probe function whose events say
 * what each invocation does (test/fixtures/functions/probe.mjs).
 */

const PROBE = fileURLToPath(new URL("../fixtures/functions/probe.mjs", import.meta.url));

interface ProbeAnswer {
  invocations: number;
  threadId: number;
  requestId: string;
  /** Other invocations running in the same environment when it answered. */
  alongside: number;
  remainingMsAtStart: number;
}

const started: LocalFunction[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((fn) => fn.stop()));
});

function probe(
  overrides: Partial<LocalFunctionOptions> & { timeoutSeconds?: number; memoryMb?: number } = {},
) {
  const reports: InvocationReport[] = [];
  const lines: string[] = [];
  const { timeoutSeconds = 10, memoryMb = 256, ...options } = overrides;
  const fn = new LocalFunction({
    model: {
      logicalId: "Probe",
      name: "Probe",
      entryFile: PROBE,
      handlerExport: "handler",
      environment: {},
      timeoutSeconds,
      memoryMb,
      reservedConcurrency: undefined,
    },
    environment: {},
    onLog: (_name, line) => lines.push(line),
    onReport: (_name, report) => reports.push(report),
    concurrency: 4,
    ...options,
  });
  started.push(fn);
  const sleep = (ms: number, requestId?: string, idempotent?: boolean) =>
    fn.invoke({ action: "sleep", ms }, { requestId, idempotent }) as Promise<ProbeAnswer>;
  return { fn, reports, lines, sleep };
}

describe("local Lambda runtime", () => {
  it("runs two concurrent invocations in two environments that share no module state", async () => {
    const { fn, sleep } = probe();
    const [first, second] = await Promise.all([sleep(300), sleep(300)]);
    expect(first.threadId).not.toBe(second.threadId);
    expect([first.invocations, second.invocations]).toEqual([1, 1]);
    expect(fn.environmentCount).toBe(2);
    // A later invocation reuses a warm environment, whose module state it sees.
    const third = await sleep(0);
    expect([first.threadId, second.threadId]).toContain(third.threadId);
    expect(third.invocations).toBe(2);
    expect(fn.environmentCount).toBe(2);
  });

  it("ends only the timed-out environment, with Lambda's message, and another invocation in flight succeeds", async () => {
    const { fn, sleep, reports, lines } = probe({ timeoutSeconds: 1 });
    const [timedOut, beside] = await Promise.allSettled([sleep(5_000, "slow"), sleep(500, "quick")]);
    expect(timedOut.status).toBe("rejected");
    const error = (timedOut as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(FunctionTimeoutError);
    expect(error.message).toBe("Task timed out after 1.00 seconds");
    expect(lines.some((line) => line.endsWith(" slow Task timed out after 1.00 seconds"))).toBe(true);
    expect(beside).toMatchObject({ status: "fulfilled", value: { requestId: "quick" } });
    expect(reports.find((report) => report.requestId === "slow")).toMatchObject({
      status: "timeout",
      errorType: "Sandbox.Timedout",
    });
    await vi.waitFor(() => expect(fn.environmentCount).toBe(1)); // the quick one's, kept warm
    expect((await sleep(0)).invocations).toBe(2);
  });

  it("fails an invocation that runs out of memory alone, replaces its environment, and the next one succeeds", async () => {
    const { fn, sleep, reports } = probe({ memoryMb: 128 });
    const [exhausted, beside] = await Promise.allSettled([
      fn.invoke({ action: "exhaust-memory" }, { requestId: "greedy" }),
      sleep(200, "beside"),
    ]);
    expect(exhausted.status).toBe("rejected");
    const error = (exhausted as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(FunctionError);
    expect(error.detail.errorType).toBe("Runtime.OutOfMemory");
    expect(beside).toMatchObject({ status: "fulfilled", value: { requestId: "beside" } });
    expect(reports.find((report) => report.requestId === "greedy")).toMatchObject({
      status: "error",
      errorType: "Runtime.OutOfMemory",
    });
    await vi.waitFor(() => expect(fn.environmentCount).toBe(1));
    const next = await sleep(0);
    expect(next.invocations).toBe(2); // the environment that ran "beside"
  });

  it("reports every invocation like Lambda's REPORT line, with the init duration on cold starts only", async () => {
    const { sleep, reports } = probe({ memoryMb: 256 });
    await sleep(50, "cold");
    await sleep(0, "warm");
    const [cold, warm] = reports;
    expect(cold).toMatchObject({ requestId: "cold", status: "success", metrics: { memorySizeMB: 256 } });
    expect(cold?.metrics.durationMs).toBeGreaterThanOrEqual(50);
    expect(cold?.metrics.billedDurationMs).toBe(Math.ceil(cold?.metrics.durationMs ?? 0));
    expect(cold?.metrics.initDurationMs).toBeGreaterThan(0);
    expect(cold?.metrics.maxMemoryUsedMB).toBeGreaterThan(0);
    expect(cold?.metrics.maxMemoryUsedMB).toBeLessThanOrEqual(256);
    expect(warm?.metrics.initDurationMs).toBeUndefined();
    expect(reportText(cold as InvocationReport)).toMatch(
      /^REPORT RequestId: cold\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d{2} ms$/,
    );
    expect(reportText(warm as InvocationReport)).not.toContain("Init Duration");
  });

  it("reaps environments left idle, and the next invocation is a cold start again", async () => {
    const { fn, sleep, reports } = probe({ idleMs: 300 });
    await Promise.all([sleep(100), sleep(100)]);
    expect(fn.environmentCount).toBe(2);
    await vi.waitFor(() => expect(fn.environmentCount).toBe(0), { timeout: 5_000 });
    const after = await sleep(0);
    expect(after.invocations).toBe(1);
    expect(reports.at(-1)?.metrics.initDurationMs).toBeGreaterThan(0);
  });

  it("queues invocations past its concurrency, then throttles past the queue", async () => {
    const { fn, sleep } = probe({ concurrency: 1, maxWaiting: 1 });
    const results = await Promise.allSettled([sleep(200), sleep(0), sleep(0)]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(ThrottledError);
    expect(fn.environmentCount).toBe(1);
  });

  it("throttles an invocation that waited too long for an environment, before it runs", async () => {
    const { sleep, reports } = probe({ concurrency: 1, maxWaitMs: 100 });
    const results = await Promise.allSettled([sleep(1_000, "long"), sleep(0, "waiting")]);
    expect(results[0].status).toBe("fulfilled");
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(ThrottledError);
    expect(reports.map((report) => report.requestId)).toEqual(["long"]); // it never ran
  });

  it("runs each invocation under its own _X_AMZN_TRACE_ID, and hands back the spans the function ended", async () => {
    const spans: Span[] = [];
    const { fn, reports } = probe({ onSpans: (_name, ended) => spans.push(...ended) });
    const root = "1-6750a1b2-0123456789abcdef01234567";
    const traced = (await fn.invoke(
      { action: "trace" },
      { traceHeader: `Root=${root};Parent=53995c3f42cd8ad8;Sampled=1` },
    )) as {
      traceHeader: string;
    };
    const untraced = (await fn.invoke({ action: "trace" })) as { traceHeader: string };
    const [first, second] = reports;
    // The function's Parent is its invocation's span, whose own parent is the caller's.
    expect(traced.traceHeader).toBe(`Root=${root};Parent=${first?.tracing?.spanId};Sampled=1`);
    expect(first?.tracing?.value).toBe(`Root=${root};Parent=53995c3f42cd8ad8;Sampled=1`);
    // No caller's trace: a new one, not the previous invocation's.
    expect(untraced.traceHeader).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
    expect(untraced.traceHeader).not.toContain(root);
    expect(untraced.traceHeader).toContain(`Parent=${second?.tracing?.spanId}`);
    expect(spans).toHaveLength(2);
    expect(spans[0]).toMatchObject({
      traceId: root,
      parentId: first?.tracing?.spanId,
      name: "probe work",
      attributes: { step: 1 },
    });
    expect(spans[0]?.end).toBeGreaterThanOrEqual(spans[0]?.start ?? Number.NaN);
  });

  it("sends an idempotent invocation ahead to a busy environment: it runs when the running one ends, alone, its time counted from then", async () => {
    const { fn, sleep, reports } = probe({ concurrency: 1, timeoutSeconds: 1 });
    await sleep(0); // a warm environment: only an initialised one takes an invocation ahead
    // Together 1.2 s, past the 1 s timeout: each one's time starts when it does.
    const [first, second] = await Promise.all([sleep(600, "first", true), sleep(600, "second", true)]);
    expect(fn.environmentCount).toBe(1);
    expect(second.threadId).toBe(first.threadId);
    expect([first.invocations, second.invocations]).toEqual([2, 3]);
    expect([first.alongside, second.alongside]).toEqual([0, 0]);
    expect(second.remainingMsAtStart).toBeGreaterThan(900);
    const durations = reports.slice(1).map((report) => report.metrics.durationMs);
    expect(durations.every((ms) => ms >= 590 && ms < 1_000)).toBe(true);
  });

  it("runs an invocation sent ahead in another environment when the one it waited on times out", async () => {
    const { fn, sleep, reports } = probe({ concurrency: 1, timeoutSeconds: 1 });
    await sleep(0);
    const [timedOut, ahead] = await Promise.allSettled([sleep(5_000, "slow", true), sleep(0, "ahead", true)]);
    expect((timedOut as PromiseRejectedResult).reason).toBeInstanceOf(FunctionTimeoutError);
    expect(ahead.status).toBe("fulfilled");
    expect((ahead as PromiseFulfilledResult<ProbeAnswer>).value.invocations).toBe(1); // a new environment
    expect(fn.environmentCount).toBe(1);
    expect(reports.map((report) => [report.requestId, report.status])).toEqual([
      [expect.any(String), "success"],
      ["slow", "timeout"],
      ["ahead", "success"],
    ]);
  });
});
