import { randomBytes } from "node:crypto";

/**
 * Local mode's traces: the trace context AWS passes along (`X-Amzn-Trace-Id`, `_X_AMZN_TRACE_ID`,
 * SQS's `AWSTraceHeader`), and the spans local mode can see, kept in memory for the console.
 *
 * What is kept is bounded: the most recent `capacity` spans (TRACE_SPAN_CAPACITY by default), in
 * one ring buffer; an older span is overwritten, never grown past. A request's trace is a few
 * spans (gateway, invocation, init, the function's own), a message adds one (its wait in the
 * queue) and a consumer batch three or four: the default keeps some thousands of orders' journeys.
 *
 * The traces local mode starts (a request without a caller's decision at API Gateway, a consumer
 * batch) are sampled as X-Ray's default rule samples them, with a larger reservoir (TraceSampler):
 * each one at a developer's pace, a share of them under load, where keeping every request's spans
 * until the ring overwrites them cost the main thread's garbage collector about an eighth of the reads
 * a second. LOCAL_TRACES=all records every trace, LOCAL_TRACES=off none (the trace context is still
 * passed along, as on AWS).
 */

/** An X-Ray trace header's parts: `Root=1-<8 hex time>-<24 hex>;Parent=<16 hex>;Sampled=1`. */
export interface TraceContext {
  root: string;
  parent: string | undefined;
  /** The caller's sampling decision; undefined when it made none (no `Sampled`, or `Sampled=?`). */
  sampled: boolean | undefined;
}

/** What one span says: where, when (epoch milliseconds) and under which trace and parent. */
export interface Span {
  traceId: string;
  id: string;
  parentId: string | undefined;
  name: string;
  /** `gateway`, `invocation`, `init`, `queue`, `batch` or `function` (a function's own span). */
  kind: string;
  /** The API, a function's name, a queue's name. */
  service: string;
  start: number;
  end: number;
  error?: boolean;
  attributes?: Record<string, string | number | boolean>;
  /** The producers' traces a consumer batch links to (X-Ray links at most 20 a segment). */
  links?: string[];
  /** The order id a message carried, for the search by order id. */
  orderId?: string;
}

/** Spans kept unless told otherwise: about 10 MB at most (some 400 bytes a span), whatever the load. */
export const TRACE_SPAN_CAPACITY = 20_000;
/** X-Ray's limit on the links of one segment. */
export const MAX_LINKS = 20;

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/** The header's context, or undefined when it has no valid Root (a new trace is started then). */
export function parseTraceHeader(header: string | string[] | undefined): TraceContext | undefined {
  if (typeof header !== "string" || header.length > 512) return undefined;
  return parseOwnFormat(header) ?? parseAnyOrder(header);
}

/**
 * `Root=...;Parent=...;Sampled=n`, as formatTraceHeader writes it: the header of every request and
 * invocation local mode passes on, read several times each, so read without splitting it.
 */
function parseOwnFormat(header: string): TraceContext | undefined {
  if (
    header.length !== OWN_FORMAT_LENGTH ||
    !header.startsWith("Root=") ||
    !header.startsWith(";Parent=", 40)
  )
    return undefined;
  const sampled = header.slice(64);
  const root = header.slice(5, 40);
  const parent = header.slice(48, 64);
  if (!(sampled === ";Sampled=1" || sampled === ";Sampled=0") || !ROOT.test(root) || !SPAN_ID.test(parent))
    return undefined;
  return { root, parent, sampled: sampled === ";Sampled=1" };
}
const OWN_FORMAT_LENGTH = "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=1".length;

function parseAnyOrder(header: string): TraceContext | undefined {
  let root: string | undefined;
  let parent: string | undefined;
  let sampled: boolean | undefined;
  for (const part of header.split(";")) {
    const [key, value = ""] = part.trim().split("=", 2);
    if (key === "Root" && ROOT.test(value)) root = value;
    else if (key === "Parent" && SPAN_ID.test(value)) parent = value;
    else if (key === "Sampled") sampled = value === "1" ? true : value === "0" ? false : undefined;
  }
  return root ? { root, parent, sampled } : undefined;
}

export function formatTraceHeader(root: string, parent: string | undefined, sampled = true): string {
  return parent === undefined
    ? `Root=${root};Sampled=${sampled ? 1 : 0}`
    : `Root=${root};Parent=${parent};Sampled=${sampled ? 1 : 0}`;
}

/** One invocation's place in a trace: its caller's, or a new one (Lambda starts one when none comes). */
export interface InvocationTrace {
  /** The invocation's span. */
  spanId: string;
  /** The trace header the invocation came with (its Parent: the caller's span). */
  value: string;
  /** What the function runs under (`_X_AMZN_TRACE_ID`): its Parent is the invocation's span. */
  functionHeader: string;
}

export function invocationTrace(callerHeader: string | undefined): InvocationTrace {
  const caller = parseTraceHeader(callerHeader);
  const root = caller?.root ?? newTraceRoot();
  const sampled = caller?.sampled ?? true;
  const spanId = newSpanId();
  return {
    spanId,
    value: formatTraceHeader(root, caller?.parent, sampled),
    functionHeader: formatTraceHeader(root, spanId, sampled),
  };
}

/** A new trace id in X-Ray's format: the epoch second in hex, then 96 random bits. */
export function newTraceRoot(nowMs = Date.now()): string {
  const seconds = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, "0");
  return `1-${seconds}-${randomHex(12)}`;
}

export function newSpanId(): string {
  return randomHex(8);
}

/** Random bytes drawn from a pool refilled now and then: one syscall per few hundred ids. */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomBytes(pool.length).copy(pool);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString("hex", poolOffset - bytes, poolOffset);
}

/** A trace as the console lists it: its first span's name and when it began and ended. */
export interface TraceSummary {
  traceId: string;
  name: string;
  service: string;
  start: number;
  end: number;
  spans: number;
  error: boolean;
}

/** The recent spans, newest overwriting oldest, and the queries the console asks of them. */
export class TraceStore {
  readonly capacity: number;
  /** Decides which traces started here are recorded (see TraceSampler). */
  readonly sampler: TraceSampler;
  private readonly spans: (Span | undefined)[];
  private next = 0;

  constructor(capacity = TRACE_SPAN_CAPACITY, sampler = new TraceSampler()) {
    this.capacity = capacity;
    this.sampler = sampler;
    this.spans = new Array(capacity);
  }

  record(span: Span): void {
    this.spans[this.next] = span;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Every kept span, oldest first. */
  private *all(): Generator<Span> {
    for (let i = 0; i < this.capacity; i++) {
      const span = this.spans[(this.next + i) % this.capacity];
      if (span) yield span;
    }
  }

  /** The spans of these traces, by start. */
  spansOf(traceIds: ReadonlySet<string>): Span[] {
    const found: Span[] = [];
    for (const span of this.all()) if (traceIds.has(span.traceId)) found.push(span);
    return found.sort((a, b) => a.start - b.start || a.end - b.end);
  }

  /** The most recent traces, newest first. */
  recent(limit: number): TraceSummary[] {
    const traces = new Map<string, TraceSummary>();
    for (const span of this.all()) {
      const known = traces.get(span.traceId);
      if (!known) {
        traces.set(span.traceId, {
          traceId: span.traceId,
          name: span.name,
          service: span.service,
          start: span.start,
          end: span.end,
          spans: 1,
          error: Boolean(span.error),
        });
        continue;
      }
      known.spans++;
      known.error ||= Boolean(span.error);
      known.end = Math.max(known.end, span.end);
      if (span.start < known.start)
        Object.assign(known, { start: span.start, name: span.name, service: span.service });
    }
    return [...traces.values()].sort((a, b) => b.start - a.start).slice(0, limit);
  }

  /**
   * An order's journey: the traces of every message whose body names this order id (the producer's
   * request that sent it) and of the consumer batches that took it.
   */
  journeyOf(orderId: string): Set<string> {
    const traces = new Set<string>();
    for (const span of this.all()) {
      if (span.orderId !== orderId) continue;
      traces.add(span.traceId);
      const consumer = span.attributes?.consumerTrace;
      if (typeof consumer === "string") traces.add(consumer);
    }
    return traces;
  }
}

const ORDER_ID = /"order_id"\s*:\s*"([^"\\]{1,100})"/;

/**
 * The order id a message's body names, if any, as a string of its own: a match is a slice that
 * would keep the whole body alive as long as the span; a copy keeps some 30 bytes.
 */
export function orderIdIn(body: string): string | undefined {
  const found = ORDER_ID.exec(body)?.[1];
  return found === undefined ? undefined : ` ${found}`.slice(1);
}

/**
 * Which new traces are recorded, as X-Ray's sampling rules decide (a reservoir of traces a second,
 * then a fixed rate of the rest; its default rule: 1 a second, then 5%), the reservoir larger here:
 * every trace of a developer trying things, and under a load a sample, never all of them.
 */
export class TraceSampler {
  readonly reservoirPerSecond: number;
  readonly fixedRate: number;
  private readonly nowMs: () => number;
  private second = -1;
  private takenThisSecond = 0;

  constructor(
    reservoirPerSecond = TRACE_RESERVOIR_PER_SECOND,
    fixedRate = TRACE_FIXED_RATE,
    nowMs = Date.now,
  ) {
    this.reservoirPerSecond = reservoirPerSecond;
    this.fixedRate = fixedRate;
    this.nowMs = nowMs;
  }

  /** A sampler that records every trace (LOCAL_TRACES=all): a reservoir without end. */
  static everyTrace(): TraceSampler {
    return new TraceSampler(Number.POSITIVE_INFINITY);
  }

  /** The rule, as the console states it; undefined when every trace is recorded (LOCAL_TRACES=all). */
  rule(): { reservoirPerSecond: number; fixedRate: number } | undefined {
    if (this.reservoirPerSecond === Number.POSITIVE_INFINITY) return undefined;
    return { reservoirPerSecond: this.reservoirPerSecond, fixedRate: this.fixedRate };
  }

  sample(): boolean {
    const second = Math.floor(this.nowMs() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.takenThisSecond = 0;
    }
    if (this.takenThisSecond < this.reservoirPerSecond) {
      this.takenThisSecond++;
      return true;
    }
    return Math.random() < this.fixedRate;
  }
}

/** Traces recorded each second before the fixed rate applies (X-Ray's default rule: 1). */
const TRACE_RESERVOIR_PER_SECOND = 50;
/** The share of the traces past the reservoir that are recorded (X-Ray's default rule: 5%). */
const TRACE_FIXED_RATE = 0.05;

/** LOCAL_TRACES: `off`, no store and nothing recorded; `all`, every trace; else sampled. */
export function traceStoreFromEnv(env: NodeJS.ProcessEnv): TraceStore | undefined {
  const setting = env.LOCAL_TRACES ?? "sampled";
  if (!["off", "all", "sampled"].includes(setting))
    throw new Error(`LOCAL_TRACES must be sampled (the default), all or off, not ${setting}`);
  if (setting === "off") return undefined;
  return new TraceStore(
    TRACE_SPAN_CAPACITY,
    setting === "all" ? TraceSampler.everyTrace() : new TraceSampler(),
  );
}

/** A request's trace at API Gateway: the caller's trace continued, or a new one; its span's id. */
export interface GatewayTrace {
  root: string;
  parent: string | undefined;
  spanId: string;
  sampled: boolean;
  /** What the integration gets and the caller is answered: `Root=...;Parent=<the gateway's span>;Sampled=1`. */
  header: string;
}

/**
 * The caller's decision stands (its `Sampled`); a trace without one is sampled here (`sampler`:
 * the trace store's; with none, nothing is recorded and the header says `Sampled=1`).
 */
export function beginGatewayTrace(
  incoming: string | string[] | undefined,
  sampler?: TraceSampler,
): GatewayTrace {
  const caller = parseTraceHeader(incoming);
  const root = caller?.root ?? newTraceRoot();
  const spanId = newSpanId();
  const sampled = caller?.sampled ?? sampler?.sample() ?? true;
  return { root, parent: caller?.parent, spanId, sampled, header: formatTraceHeader(root, spanId, sampled) };
}

/** Epoch milliseconds, to the microsecond, from a `performance.now()` of this thread. */
export function epochMs(performanceNow: number): number {
  return performance.timeOrigin + performanceNow;
}

/** The gateway's span of a request that began at `started` (`performance.now()`) and ends now. */
export function gatewaySpan(
  trace: GatewayTrace,
  method: string,
  path: string,
  status: number,
  started: number,
): Span {
  return {
    traceId: trace.root,
    id: trace.spanId,
    parentId: trace.parent,
    name: `${method} ${path}`,
    kind: "gateway",
    service: "API Gateway",
    start: epochMs(started),
    end: epochMs(performance.now()),
    error: status >= 500,
    attributes: { status },
  };
}
