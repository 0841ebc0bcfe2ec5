import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalApiGateway, startApiGateway } from "../../local/api-gateway";
import { ThrottledError } from "../../local/lambda-runtime";
import { TraceSampler, TraceStore } from "../../local/traces";

/** Local mode's API Gateway over real HTTP: what it refuses before a function does any work. */

let gateway: LocalApiGateway;
let invocations = 0;
let lastEvent: { body: string | null; isBase64Encoded: boolean } | undefined;
let lastIdempotent: boolean | undefined;

beforeAll(async () => {
  gateway = await startApiGateway({
    port: 0,
    host: "127.0.0.1",
    routes: [
      { method: "GET", path: "/read", functionLogicalId: "Reader" },
      { method: "POST", path: "/write", functionLogicalId: "Writer" },
      { method: "POST", path: "/busy", functionLogicalId: "Busy" },
      { method: "GET", path: "/slow", functionLogicalId: "Slow" },
      { method: "GET", path: "/broken", functionLogicalId: "Broken" },
      { method: "GET", path: "/framed", functionLogicalId: "Framed" },
    ],
    invoke: async (functionLogicalId, event, { idempotent }) => {
      if (functionLogicalId === "Busy") throw new ThrottledError("at its concurrency limit");
      if (functionLogicalId === "Slow") return new Promise(() => {}); // never answers
      if (functionLogicalId === "Broken") throw new Error("Runtime.ExitError: the function crashed");
      if (functionLogicalId === "Framed")
        return {
          statusCode: 200,
          headers: { "Content-Length": "999", "x-kept": "yes" },
          multiValueHeaders: { "Transfer-Encoding": ["chunked"] },
          body: "héllo",
        };
      invocations++;
      lastEvent = event;
      lastIdempotent = idempotent;
      return { statusCode: 200, body: "{}" };
    },
    bodyTimeoutMs: 300,
    integrationTimeoutMs: 300,
  });
});
afterAll(() => gateway.stop());

/** Sends raw HTTP: `body` is written as given, possibly less than its content-length. */
function send(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(`${gateway.url}${path}`, { method, headers }, (res) => {
      let text = "";
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    if (body !== undefined)
      req.write(body); // and never end: a body that trickles in
    else req.end();
  });
}

describe("local API Gateway", () => {
  it("tells the runtime a GET may run twice (it may be sent ahead to a busy environment), a POST not", async () => {
    expect((await send("GET", "/read", {})).status).toBe(200);
    expect(lastIdempotent).toBe(true);
    expect(
      (await send("POST", "/write", { "content-type": "application/json", "content-length": "2" }, "{}"))
        .status,
    ).toBe(200);
    expect(lastIdempotent).toBe(false);
  });

  it("refuses a body on a GET before reading it, and invokes nothing", async () => {
    const before = invocations;
    const answer = await send("GET", "/read", { "content-length": "1000000" }, "x");
    expect(answer).toEqual({ status: 400, text: JSON.stringify({ message: "GET takes no request body" }) });
    expect(invocations).toBe(before);
  });

  it("cuts off a body that trickles in, with 408, and invokes nothing", async () => {
    const before = invocations;
    const answer = await send(
      "POST",
      "/write",
      { "content-length": "100", "content-type": "application/json" },
      '{"a":',
    );
    expect(answer.status).toBe(408);
    expect(invocations).toBe(before);
  });

  it("refuses a body over API Gateway's 10 MB with 413, and invokes nothing", async () => {
    const before = invocations;
    const size = 10 * 1024 * 1024 + 1;
    const answer = await send(
      "POST",
      "/write",
      { "content-type": "application/json", "content-length": String(size) },
      "x".repeat(size),
    );
    expect(answer.status).toBe(413);
    expect(invocations).toBe(before);
  });

  it("answers 429 when the function is at its concurrency limit", async () => {
    const answer = await send("POST", "/busy", { "content-type": "application/json" });
    expect(answer).toEqual({ status: 429, text: JSON.stringify({ message: "Rate Exceeded." }) });
  });

  it("passes a body that is not UTF-8 as base64, as API Gateway passes binary, so the function can say so", async () => {
    const req = request(`${gateway.url}/write`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    const answered = new Promise<number>((resolve) =>
      req.on("response", (res) => resolve(res.statusCode ?? 0)),
    );
    req.end(Buffer.from([0x7b, 0xff, 0x7d]));
    expect(await answered).toBe(200);
    expect(lastEvent).toMatchObject({
      isBase64Encoded: true,
      body: Buffer.from([0x7b, 0xff, 0x7d]).toString("base64"),
    });
    expect((await send("POST", "/write", { "content-type": "application/json" }, undefined)).status).toBe(
      200,
    );
  });

  it("answers 504 when the function takes longer than the integration timeout", async () => {
    const answer = await send("GET", "/slow", {});
    expect(answer).toEqual({ status: 504, text: JSON.stringify({ message: "Endpoint request timed out" }) });
  });

  it("answers 502 with nothing of the error when the function fails", async () => {
    const answer = await send("GET", "/broken", {});
    expect(answer).toEqual({ status: 502, text: JSON.stringify({ message: "Internal server error" }) });
  });

  it("frames the answer with its body's length, as API Gateway does, whatever the function's headers say", async () => {
    const answer = await fetch(`${gateway.url}/framed`);
    expect(answer.headers.get("content-length")).toBe(String(Buffer.byteLength("héllo")));
    expect(answer.headers.get("transfer-encoding")).toBeNull();
    expect(answer.headers.get("x-kept")).toBe("yes");
    expect(await answer.text()).toBe("héllo");
  });

  it("still serves an ordinary request", async () => {
    expect((await send("GET", "/read", {})).status).toBe(200);
  });
});

describe("local API Gateway's traces", () => {
  it("records the traces its sampler takes, passes the decision on, and honours the caller's", async () => {
    // A reservoir of 2 a second and no fixed rate, in a second that never ends.
    const traces = new TraceStore(100, new TraceSampler(2, 0, () => 0));
    const headersSeen: string[] = [];
    const traced = await startApiGateway({
      port: 0,
      host: "127.0.0.1",
      routes: [{ method: "GET", path: "/read", functionLogicalId: "Reader" }],
      invoke: async (_id, event) => {
        headersSeen.push(event.headers["X-Amzn-Trace-Id"] as string);
        return { statusCode: 200, body: "{}" };
      },
      traces,
    });
    try {
      const get = async (header?: string) =>
        (
          await fetch(`${traced.url}/read`, { headers: header ? { "x-amzn-trace-id": header } : {} })
        ).headers.get("x-amzn-trace-id") ?? "";
      const answered = [await get(), await get(), await get(), await get()];
      expect(answered.map((header) => header.endsWith(";Sampled=1"))).toEqual([true, true, false, false]);
      expect(headersSeen.map((header) => header.endsWith(";Sampled=1"))).toEqual([true, true, false, false]);
      const rootOf = (header: string) => /Root=([^;]+)/.exec(header)?.[1];
      expect(new Set(traces.recent(10).map((trace) => trace.traceId))).toEqual(
        new Set([rootOf(answered[0] as string), rootOf(answered[1] as string)]),
      );
      // The caller's decision stands, past the reservoir or not.
      const kept = "1-6750a1b2-0123456789abcdef01234567";
      const dropped = "1-6750a1b2-89abcdef0123456789abcdef";
      expect(await get(`Root=${kept};Sampled=1`)).toMatch(/;Sampled=1$/);
      expect(await get(`Root=${dropped};Sampled=0`)).toMatch(/;Sampled=0$/);
      const recorded = traces.recent(10).map((trace) => trace.traceId);
      expect(recorded).toContain(kept);
      expect(recorded).not.toContain(dropped);
      expect(recorded).toHaveLength(3);
    } finally {
      await traced.stop();
    }
  });
});
