import { type Attributes, SpanStatusCode, trace } from "@opentelemetry/api";

/**
 * Spans around the calls that take a function's time (the Redis script, the S3 write, the SQS
 * sends), through OpenTelemetry's API only. The API records nothing until a tracer provider is
 * registered: on AWS the ADOT layer would register one (this stack adds none: docs/console.md
 * says why), in local mode each execution environment does (local/worker-tracer.mjs).
 */

const tracer = trace.getTracer("orders-pipeline");

/** `work`, inside a span named `name` that ends when it settles (marked an error if it throws). */
export async function inSpan<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  const span = tracer.startSpan(name, { attributes });
  try {
    return await work();
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}
