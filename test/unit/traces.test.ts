import { describe, expect, it } from "vitest";
import { DURATION_WINDOW, FunctionFiguresBook, LOG_CAPACITY, LogRing } from "../../local/console/observe";
import type { InvocationReport } from "../../local/lambda-runtime";
import {
  beginGatewayTrace,
  invocationTrace,
  newTraceRoot,
  orderIdIn,
  parseTraceHeader,
  type Span,
  TRACE_SPAN_CAPACITY,
  TraceSampler,
  TraceStore,
  traceStoreFromEnv,
} from "../../local/traces";

/** Local mode's trace context (X-Ray's header) and what it keeps for the console, each within its bound. */

const ROOT = "1-6750a1b2-0123456789abcdef01234567";

function span(traceId: string, fields: Partial<Span> = {}): Span {
  return {
    traceId,
    id: "a".repeat(16),
    parentId: undefined,
    name: "s",
    kind: "gateway",
    service: "x",
    start: 1,
    end: 2,
    ...fields,
  };
}

function report(durationMs: number, fields: Partial<InvocationReport> = {}): InvocationReport {
  return {
    requestId: "r",
    status: "success",
    metrics: { durationMs, billedDurationMs: Math.ceil(durationMs), memorySizeMB: 512, maxMemoryUsedMB: 40 },
    ...fields,
  };
}

describe("the trace header", () => {
  it("is read with its root, parent and sampling, in any order", () => {
    expect(parseTraceHeader(`Sampled=0;Parent=53995c3f42cd8ad8;Root=${ROOT}`)).toEqual({
      root: ROOT,
      parent: "53995c3f42cd8ad8",
      sampled: false,
    });
  });

  it("without a valid root is no context: a new trace starts", () => {
    for (const header of ["Root=1-xyz", "Parent=53995c3f42cd8ad8", "", "x".repeat(600)])
      expect(parseTraceHeader(header)).toBeUndefined();
    const trace = beginGatewayTrace("Root=nonsense");
    expect(trace.root).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(trace.header).toBe(`Root=${trace.root};Parent=${trace.spanId};Sampled=1`);
  });

  it("is continued by the gateway and an invocation: same root, each its own span under its caller", () => {
    const gateway = beginGatewayTrace(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`);
    expect(gateway).toMatchObject({ root: ROOT, parent: "53995c3f42cd8ad8" });
    const invocation = invocationTrace(gateway.header);
    expect(invocation.value).toBe(`Root=${ROOT};Parent=${gateway.spanId};Sampled=1`);
    expect(invocation.functionHeader).toBe(`Root=${ROOT};Parent=${invocation.spanId};Sampled=1`);
  });

  it("starts with the epoch second in hex, as X-Ray's ids do", () => {
    expect(newTraceRoot(Date.UTC(2026, 0, 1))).toMatch(
      new RegExp(`^1-${(Date.UTC(2026, 0, 1) / 1000).toString(16)}-`),
    );
  });
});

describe("the trace sampler", () => {
  it("takes the reservoir's traces each second, then its fixed rate of the rest, as X-Ray's rules do", () => {
    let now = 5_000;
    const decide = (sampler: TraceSampler, times: number) =>
      Array.from({ length: times }, () => sampler.sample());
    const none = new TraceSampler(3, 0, () => now);
    expect(decide(none, 5)).toEqual([true, true, true, false, false]);
    now += 999; // the same second
    expect(none.sample()).toBe(false);
    now += 1; // the next one: a full reservoir again
    expect(decide(none, 4)).toEqual([true, true, true, false]);
    const every = new TraceSampler(1, 1, () => now);
    expect(decide(every, 3)).toEqual([true, true, true]);
  });

  it("decides at the gateway when the caller did not, else leaves the caller's decision", () => {
    const never = new TraceSampler(0, 0);
    expect(beginGatewayTrace(undefined, never)).toMatchObject({ sampled: false });
    expect(beginGatewayTrace(undefined, never).header).toMatch(/;Sampled=0$/);
    expect(beginGatewayTrace(`Root=${ROOT}`, never)).toMatchObject({ root: ROOT, sampled: false });
    expect(beginGatewayTrace(`Root=${ROOT};Sampled=?`, never)).toMatchObject({ sampled: false });
    expect(beginGatewayTrace(`Root=${ROOT};Sampled=1`, never)).toMatchObject({ sampled: true });
    const always = TraceSampler.everyTrace();
    expect(beginGatewayTrace(`Root=${ROOT};Sampled=0`, always)).toMatchObject({ sampled: false });
    expect(invocationTrace(beginGatewayTrace(undefined, never).header).functionHeader).toMatch(/;Sampled=0$/);
  });
});

describe("the trace store", () => {
  it("is not kept at all with LOCAL_TRACES=off, samples by default, keeps every trace with LOCAL_TRACES=all", () => {
    expect(traceStoreFromEnv({ LOCAL_TRACES: "off" })).toBeUndefined();
    expect(traceStoreFromEnv({})?.sampler.reservoirPerSecond).toBeLessThan(1_000);
    expect(traceStoreFromEnv({ LOCAL_TRACES: "sampled" })?.sampler.reservoirPerSecond).toBeLessThan(1_000);
    expect(traceStoreFromEnv({ LOCAL_TRACES: "all" })?.sampler.reservoirPerSecond).toBe(Infinity);
    expect(traceStoreFromEnv({ LOCAL_TRACES: "all" })?.sampler.rule()).toBeUndefined();
    expect(traceStoreFromEnv({})?.sampler.rule()).toEqual({ reservoirPerSecond: 50, fixedRate: 0.05 });
    expect(() => traceStoreFromEnv({ LOCAL_TRACES: "0" })).toThrow(
      /LOCAL_TRACES must be sampled .*all or off, not 0/,
    );
  });

  it("keeps the most recent spans only, up to its capacity", () => {
    expect(TRACE_SPAN_CAPACITY).toBeGreaterThan(1000);
    const store = new TraceStore(3);
    for (let i = 0; i < 5; i++) store.record(span(newTraceRoot(), { start: i, end: i + 1 }));
    expect(store.recent(10).map((trace) => trace.start)).toEqual([4, 3, 2]);
  });

  it("finds an order's journey: the traces of the messages that name it and their consumer batches", () => {
    const store = new TraceStore(100);
    const consumer = newTraceRoot();
    store.record(span(ROOT, { kind: "gateway" }));
    store.record(
      span(ROOT, {
        kind: "queue",
        orderId: orderIdIn('{"order_id": "ORD42"}'),
        attributes: { consumerTrace: consumer },
      }),
    );
    store.record(span(consumer, { kind: "batch" }));
    store.record(
      span(newTraceRoot(), { kind: "queue", orderId: orderIdIn('{"user_id":"U1","order_id":"ORD421"}') }),
    );
    expect(store.journeyOf("ORD42")).toEqual(new Set([ROOT, consumer]));
    expect(store.spansOf(store.journeyOf("ORD42"))).toHaveLength(3);
    expect(store.journeyOf("ORD43").size).toBe(0);
    expect(store.journeyOf("ORD421").size).toBe(1);
    expect(orderIdIn("not an order")).toBeUndefined();
  });
});

describe("the console's function figures and log lines", () => {
  it("count invocations, errors and cold starts, with percentiles over a bounded window", () => {
    const book = new FunctionFiguresBook();
    for (let i = 1; i <= DURATION_WINDOW + 100; i++)
      book.add("Fn", report(i, i === 1 ? { metrics: { ...report(1).metrics, initDurationMs: 250 } } : {}));
    book.add("Fn", report(5, { status: "error" }));
    const [figures] = book.figures(["Fn", "Other"]);
    expect(figures).toMatchObject({
      invocations: DURATION_WINDOW + 101,
      errors: 1,
      coldStarts: 1,
      lastInitMs: 250,
    });
    expect(figures?.p50Ms).toBeGreaterThan(100); // the first 100 have left the window
    expect(book.figures(["Other"])[0]).toMatchObject({ invocations: 0, p50Ms: 0 });
  });

  it("keep the last lines, filtered by function, level and request id, and follow from a sequence number", () => {
    const logs = new LogRing();
    const line = (level: string, id: string) =>
      JSON.stringify({ level, message: `m-${id}`, function_request_id: id });
    for (let i = 0; i < LOG_CAPACITY + 10; i++)
      logs.add(i % 2 ? "A" : "B", line(i % 3 ? "INFO" : "ERROR", `id-${i}`), "stdout");
    logs.add("A", "plain text ERROR in 9b2f5f1c-1111-4a4a-8b8b-123456789abc", "stderr");
    expect(logs.query({ limit: 1000 })).toHaveLength(1000);
    expect(logs.query({ limit: 10, requestId: "id-3" })).toEqual([]); // overwritten
    const last = logs.query({ limit: 5, requestId: `id-${LOG_CAPACITY + 9}` });
    expect(last).toHaveLength(1);
    expect(last[0]).toMatchObject({ source: "A", level: "INFO", message: `m-id-${LOG_CAPACITY + 9}` });
    expect(
      logs.query({ limit: 50, source: "A", level: "ERROR" }).every((entry) => entry.source === "A"),
    ).toBe(true);
    const followed = logs.query({ after: logs.lastSeq - 1, limit: 10 });
    expect(followed).toEqual([
      expect.objectContaining({ level: "ERROR", requestId: "9b2f5f1c-1111-4a4a-8b8b-123456789abc" }),
    ]);
  });
});
