// The OpenTelemetry tracer an execution environment gives its function: spans the function starts
// through @opentelemetry/api (bundled in the function, a no-op unless a provider is registered, as
// on AWS without the ADOT layer) are recorded here and handed to local mode with the invocation's
// answer. Registered on the global the API looks for, before the bundle loads, as an SDK would be.
// Each span belongs to the invocation's trace (`_X_AMZN_TRACE_ID`), its parent the invocation's
// span; there is no context manager, so a function's spans are siblings. An invocation whose trace
// is not sampled (`Sampled=0`) records none, as a tracer honours the sampling decision it is given.

import { randomBytes } from "node:crypto";

/** Spans ended during the invocation that runs now. */
let ended = [];
/** The invocation's trace: its root, the invocation's span id, and whether it is recorded. */
let current = { root: "", parent: undefined, sampled: true };

const now = () => performance.timeOrigin + performance.now();

class LocalSpan {
  constructor(name, attributes) {
    this.record = {
      traceId: current.root,
      id: randomBytes(8).toString("hex"),
      parentId: current.parent,
      name,
      start: now(),
      end: 0,
      attributes: { ...attributes },
    };
    this.sampled = current.sampled;
    this.ended = false;
  }
  spanContext() {
    const traceId = this.record.traceId.replace(/^1-|-/g, "");
    return { traceId, spanId: this.record.id, traceFlags: this.sampled ? 1 : 0 };
  }
  setAttribute(key, value) {
    this.record.attributes[key] = value;
    return this;
  }
  setAttributes(attributes) {
    Object.assign(this.record.attributes, attributes);
    return this;
  }
  addEvent() {
    return this;
  }
  addLink() {
    return this;
  }
  addLinks() {
    return this;
  }
  setStatus(status) {
    if (status?.code === 2) this.record.error = true; // SpanStatusCode.ERROR
    return this;
  }
  updateName(name) {
    this.record.name = name;
    return this;
  }
  recordException() {
    this.record.error = true;
  }
  isRecording() {
    return this.sampled && !this.ended;
  }
  end() {
    if (this.ended) return;
    this.ended = true;
    this.record.end = now();
    if (this.sampled) ended.push(this.record);
  }
}

const tracer = {
  startSpan(name, options) {
    return new LocalSpan(name, options?.attributes);
  },
  // startActiveSpan(name, fn), (name, options, fn) or (name, options, context, fn)
  startActiveSpan(name, ...args) {
    const fn = args[args.length - 1];
    return fn(new LocalSpan(name, args.length > 1 ? args[0]?.attributes : undefined));
  },
};

/**
 * Registers the tracer for @opentelemetry/api 1.x, whichever minor version the bundle holds: the
 * API uses a global whose minor version is at least its own, so this one claims a minor above any.
 */
export function installLocalTracer() {
  globalThis[Symbol.for("opentelemetry.js.api.1")] = {
    version: "1.999.0",
    trace: { getTracer: () => tracer },
  };
}

/** An invocation begins under this trace header (`Root=...;Parent=...;Sampled=1`). */
export function beginInvocation(traceHeader) {
  ended = [];
  current = {
    root: /Root=([^;]+)/.exec(traceHeader)?.[1] ?? "",
    parent: /Parent=([^;]+)/.exec(traceHeader)?.[1],
    sampled: !/Sampled=0/.test(traceHeader),
  };
}

/** The spans the invocation ended, or undefined when there were none (nothing to copy). */
export function takeSpans() {
  if (ended.length === 0) return undefined;
  const spans = ended;
  ended = [];
  return spans;
}
