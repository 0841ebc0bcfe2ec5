import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type LocalMode, startLocalMode } from "../../local/local-mode";
import { PROJECT_ROOT } from "../../local/synth";
import type { Span } from "../../local/traces";
import { orderMessage } from "../support/factories";
import { deleteStoreKeys, redisMode, redisUrl, uniquePrefix } from "../support/redis";

/**
 * Local mode's trace context end to end, through its API and the console's: the caller's
 * X-Amzn-Trace-Id continued and answered, the producer's trace carried by SQS to the consumer's
 * batch (its AWSTraceHeader, the batch's link), and an order's journey found by its id.
 * (The console's pages: test/browser/console.test.ts.)
 */

const prefix = uniquePrefix("traces");
let mode: LocalMode;

beforeAll(async () => {
  mode = await startLocalMode({
    port: 0,
    redisUrl: redisUrl(),
    redisMode: redisMode(),
    context: { keyPrefix: prefix, logLevel: "ERROR" },
    outdir: join(PROJECT_ROOT, "cdk.out.test", "traces"),
  });
}, 120_000);

afterAll(async () => {
  await mode?.stop();
  await deleteStoreKeys(prefix);
});

const newRoot = () =>
  `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll("-", "").slice(0, 24)}`;

async function journey(orderId: string): Promise<{ traceIds: string[]; spans: Span[] }> {
  const answer = await fetch(`${mode.consoleUrl}api/traces?order_id=${orderId}`);
  expect(answer.status).toBe(200);
  return (await answer.json()) as { traceIds: string[]; spans: Span[] };
}

describe("the trace context", () => {
  it("continues the caller's X-Amzn-Trace-Id and answers it, or starts a trace when it is not one", async () => {
    const root = newRoot();
    const continued = await fetch(`${mode.apiUrl}/stats/global`, {
      headers: { "x-amzn-trace-id": `Root=${root};Parent=53995c3f42cd8ad8;Sampled=1` },
    });
    expect(continued.headers.get("x-amzn-trace-id")).toMatch(
      new RegExp(`^Root=${root};Parent=[0-9a-f]{16};Sampled=1$`),
    );
    for (const sent of [undefined, "Root=not-a-trace", "garbage;;;="]) {
      const started = await fetch(`${mode.apiUrl}/stats/global`, {
        headers: sent === undefined ? {} : { "x-amzn-trace-id": sent },
      });
      expect(started.status).toBe(200);
      expect(started.headers.get("x-amzn-trace-id")).toMatch(
        /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/,
      );
    }
  });

  it("goes with an order from POST /orders through the queue to the consumer's batch, linked, to its Redis write", async () => {
    const root = newRoot();
    const orderId = `ORDTRACE${randomUUID().replaceAll("-", "").slice(0, 16).toUpperCase()}`;
    const submitted = await fetch(`${mode.apiUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-amzn-trace-id": `Root=${root};Sampled=1` },
      body: JSON.stringify({ orders: [orderMessage({ order_id: orderId })] }),
    });
    expect(submitted.status).toBe(202);
    const { traceIds, spans } = await vi.waitFor(
      async () => {
        const found = await journey(orderId);
        expect(found.spans.map((span) => span.name)).toContain("Redis record");
        return found;
      },
      { timeout: 60_000, interval: 300 },
    );
    const [consumerTrace] = traceIds.filter((id) => id !== root);
    expect(traceIds).toEqual(expect.arrayContaining([root, consumerTrace]));
    const batch = spans.find((span) => span.kind === "batch");
    expect(batch?.traceId).toBe(consumerTrace);
    expect(batch?.links).toContain(root); // as X-Ray links the consumer's trace to its producers'
    const wait = spans.find((span) => span.kind === "queue");
    expect(wait).toMatchObject({ traceId: root, orderId, attributes: { consumerTrace } });
    const kinds = (traceId: string) =>
      spans.filter((span) => span.traceId === traceId).map((span) => span.kind);
    expect(new Set(kinds(root))).toEqual(new Set(["gateway", "invocation", "init", "function", "queue"]));
    expect(new Set(kinds(consumerTrace as string))).toEqual(
      new Set(["batch", "invocation", "init", "function"]),
    );
    expect((await journey(`ORDNOTHING${randomUUID()}`)).spans).toEqual([]);
  });
});
