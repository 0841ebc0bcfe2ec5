import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../local/embedded-aws";
import type { LocalMode } from "../../local/local-mode";
import type { Span } from "../../local/traces";
import { apiEvent } from "../../scripts/events";
import { orderMessage } from "../support/factories";
import { startSuiteLocalMode } from "../support/local-mode";
import { uniquePrefix } from "../support/redis";

/**
 * Every socket local mode opens, tried as a web page the developer visits and as garbage would
 * try it: the internal stand-ins for AWS APIs (Lambda's Invoke API, Secrets Manager) answer only
 * the run's own signed requests on loopback names, and no request, however malformed, ends local
 * mode. (The embedded SQS and S3 server's own guard: test/integration/embedded-server.test.ts.)
 * Then the trace context those sockets pass along, end to end.
 */

let mode: LocalMode;
const prefix = uniquePrefix("sockets");

beforeAll(async () => {
  mode = await startSuiteLocalMode("sockets", prefix, {
    context: { logLevel: "ERROR" },
  });
}, 120_000);

afterAll(async () => {
  await mode?.stop();
});

interface Answer {
  status: number;
  body: string;
}

/** A raw request: any Host, any headers, any bytes. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const call = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: options.method ?? "POST",
        headers: options.headers,
      },
      (response) => {
        let body = "";
        response.on("data", (chunk) => {
          body += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    call.on("error", reject);
    call.end(options.body);
  });
}

/** What the functions send: signed with the run's credentials (the Credential part is what is checked). */
const signedBy = (accessKeyId: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20261206/${LOCAL_REGION}/lambda/aws4_request, SignedHeaders=host, Signature=00`,
});

const internal = () => [
  {
    name: "Lambda's Invoke API",
    url: `${mode.lambdaApi.endpoint}/2015-03-31/functions/${[...mode.functions.values()][0]?.name}/invocations`,
  },
  { name: "Secrets Manager", url: `${mode.secretsEndpoint}/` },
];

describe("the internal endpoints", () => {
  it("answer the run's own credentials through the real SDK (the control)", async () => {
    const stats = [...mode.functions.values()].find((fn) => fn.name.includes("Stats"));
    const lambda = new LambdaClient({
      endpoint: mode.lambdaApi.endpoint,
      region: LOCAL_REGION,
      credentials: mode.credentials,
    });
    const invoked = await lambda.send(
      new InvokeCommand({
        FunctionName: stats?.name,
        Payload: JSON.stringify(apiEvent("GET /stats/global")),
      }),
    );
    expect(JSON.parse(Buffer.from(invoked.Payload ?? []).toString()).statusCode).toBe(200);
    const secrets = new SecretsManagerClient({
      endpoint: mode.secretsEndpoint,
      region: LOCAL_REGION,
      credentials: mode.credentials,
    });
    const secret = await secrets.send(new GetSecretValueCommand({ SecretId: "AdminToken" }));
    expect(secret.SecretString).toBe(mode.secrets.find((s) => s.name === "AdminToken")?.value);
  });

  it("refuse other credentials, such as the well-known test/test every emulator takes", async () => {
    const secrets = new SecretsManagerClient({
      endpoint: mode.secretsEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await expect(secrets.send(new GetSecretValueCommand({ SecretId: "AdminToken" }))).rejects.toMatchObject({
      name: "UnrecognizedClientException",
    });
    for (const { name, url } of internal()) {
      const unsigned = await send(url, { headers: { "content-type": "application/json" }, body: "{}" });
      expect(unsigned.status, name).toBe(403);
      expect(unsigned.body, name).not.toContain(mode.secrets[0]?.value ?? "?");
    }
  });

  it("refuse a foreign Host (DNS rebinding) and a cross-site write, even signed", async () => {
    for (const { name, url } of internal()) {
      const rebound = await send(url, {
        headers: {
          host: "attacker.example:80",
          "content-type": "application/json",
          ...signedBy(mode.credentials.accessKeyId),
        },
        body: "{}",
      });
      expect(rebound.status, name).toBe(403);
      expect(rebound.body, name).toContain("refused");
      const crossSite = await send(url, {
        headers: {
          origin: "https://attacker.example",
          "content-type": "text/plain",
          ...signedBy(mode.credentials.accessKeyId),
        },
        body: '{"SecretId":"AdminToken"}',
      });
      expect(crossSite.status, name).toBe(403);
      const form = await send(url, {
        headers: { "content-type": "text/plain" },
        body: '{"SecretId":"AdminToken"}',
      });
      expect([403, 415], name).toContain(form.status);
    }
  });
});

describe("garbage to every socket local mode opens", () => {
  it("is answered 4xx in the API's own error shape, and local mode goes on serving", async () => {
    const signed = { ...signedBy(mode.credentials.accessKeyId), "content-type": "application/json" };
    const garbage: Array<{
      name: string;
      url: string;
      headers: Record<string, string>;
      body: Buffer | string;
    }> = [];
    for (const { name, url } of internal()) {
      garbage.push({
        name: `${name}, not JSON`,
        url,
        headers: { ...signed, "x-amz-target": "secretsmanager.GetSecretValue" },
        body: "{not json",
      });
      garbage.push({
        name: `${name}, binary`,
        url,
        headers: { ...signed, "x-amz-target": "secretsmanager.GetSecretValue" },
        body: Buffer.from([0xff, 0x00, 0xfe, 0x7b]),
      });
      garbage.push({
        name: `${name}, 7 MiB`,
        url,
        headers: signed,
        body: Buffer.alloc(7 * 1024 * 1024, 0x7b),
      });
    }
    garbage.push({
      name: "the API, not JSON",
      url: `${mode.apiUrl}/orders`,
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    garbage.push({
      name: "the SQS server, not JSON",
      url: mode.sqsEndpoint,
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "AmazonSQS.SendMessage",
        ...signedBy("test"),
      },
      body: "{not json",
    });

    for (const { name, url, headers, body } of garbage) {
      const answer = await send(url, { headers, body }).catch((error: Error) => ({
        status: 0,
        body: error.message,
      }));
      // A 7 MiB body may be cut off once the answer is sent (the socket closes): that is a refusal too.
      if (answer.status === 0) expect(answer.body, name).toMatch(/EPIPE|ECONNRESET|socket hang up/);
      else {
        expect(answer.status, `${name}: ${answer.body}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, `${name}: ${answer.body}`).toBeLessThan(500);
        expect(answer.body, name).not.toMatch(/at .*\.ts:\d+/); // no stack
      }
    }
    const health = await fetch(`${mode.apiUrl}/stats/global`);
    expect(health.status).toBe(200);
    const lambda = new LambdaClient({
      endpoint: mode.lambdaApi.endpoint,
      region: LOCAL_REGION,
      credentials: mode.credentials,
    });
    const stats = [...mode.functions.values()].find((fn) => fn.name.includes("Stats"));
    const invoked = await lambda.send(
      new InvokeCommand({
        FunctionName: stats?.name,
        Payload: JSON.stringify(apiEvent("GET /stats/global")),
      }),
    );
    expect(invoked.StatusCode).toBe(200);
  }, 60_000);
});

describe("the local console", () => {
  it("answers the loopback's names only, reads only, and answers nonsense 4xx while local mode goes on", async () => {
    const api = `${mode.consoleUrl}api/traces`;
    const rebound = await send(api, { method: "GET", headers: { host: "attacker.example:80" } });
    expect(rebound.status).toBe(403);
    // Any write is 405, whatever its content type or origin: no advice to send it another way.
    const write = await send(api, { headers: { "content-type": "application/json" }, body: "{}" });
    expect(write.status).toBe(405);
    const plain = await send(api, { body: "{}" });
    expect(plain.status).toBe(405);
    const crossSite = await send(api, { headers: { origin: "https://attacker.example" }, body: "{}" });
    expect(crossSite.status).toBe(405);
    for (const path of [
      "api/traces?limit=-1",
      `api/traces?order_id=${"x".repeat(101)}`,
      "api/logs?after=1e9",
      "api/queues?peek=51",
    ])
      expect((await fetch(`${mode.consoleUrl}${path}`)).status, path).toBe(400);
    // Each refusal names the parameter that was wrong, and only that one.
    for (const [path, error] of [
      ["api/logs?limit=0", "limit must be a whole number from 1 to 1000"],
      ["api/logs?level=BOGUS", "level must be one of DEBUG, INFO, WARN, ERROR, CRITICAL"],
    ]) {
      const refused = await fetch(`${mode.consoleUrl}${path}`);
      expect(refused.status, path).toBe(400);
      expect(await refused.json(), path).toEqual({ error });
    }
    for (const path of [
      "api/traces/1-00000000-000000000000000000000000",
      "api/nothing",
      "..%2f..%2fetc%2fpasswd",
    ])
      expect((await fetch(`${mode.consoleUrl}${path}`)).status, path).toBe(404);
    const page = await fetch(mode.consoleUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});

const newRoot = () =>
  `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll("-", "").slice(0, 24)}`;

async function journey(orderId: string): Promise<{ traceIds: string[]; spans: Span[] }> {
  const answer = await fetch(`${mode.consoleUrl}api/traces?order_id=${orderId}`);
  expect(answer.status).toBe(200);
  return (await answer.json()) as { traceIds: string[]; spans: Span[] };
}

/**
 * Local mode's trace context, through its API and the console's: the caller's X-Amzn-Trace-Id
 * continued and answered, the producer's trace carried by SQS to the consumer's batch (its
 * AWSTraceHeader, the batch's link), and an order's journey found by its id (the console's pages:
 * test/browser/console.test.ts).
 */
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

  it("honours a caller's Sampled=0: answers it, and records none of its spans, the function's own included", async () => {
    const root = newRoot();
    const submitted = await fetch(`${mode.apiUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-amzn-trace-id": `Root=${root};Sampled=0` },
      body: JSON.stringify({ orders: [orderMessage()] }),
    });
    expect(submitted.status).toBe(202);
    expect(submitted.headers.get("x-amzn-trace-id")).toMatch(
      new RegExp(`^Root=${root};Parent=[0-9a-f]{16};Sampled=0$`),
    );
    // The same request sampled is recorded: gateway, invocation and the function's send.
    const sampledRoot = newRoot();
    await fetch(`${mode.apiUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-amzn-trace-id": `Root=${sampledRoot};Sampled=1` },
      body: JSON.stringify({ orders: [orderMessage()] }),
    });
    const kinds = async (traceId: string) => {
      const answer = await fetch(`${mode.consoleUrl}api/traces/${traceId}`);
      return answer.status === 404
        ? []
        : ((await answer.json()) as { spans: Span[] }).spans.map((s) => s.kind);
    };
    expect(new Set(await kinds(sampledRoot))).toEqual(new Set(["gateway", "invocation", "function"]));
    expect(await kinds(root)).toEqual([]);
    // The console states the rule its own traces are sampled by.
    const recent = await (await fetch(`${mode.consoleUrl}api/traces?limit=1`)).json();
    expect(recent.sampling).toEqual({ reservoirPerSecond: 50, fixedRate: 0.05 });
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
    // An environment's init shows on a cold start only.
    const withoutInit = (traceId: string) => new Set(kinds(traceId).filter((kind) => kind !== "init"));
    expect(withoutInit(root)).toEqual(new Set(["gateway", "invocation", "function", "queue"]));
    expect(withoutInit(consumerTrace as string)).toEqual(new Set(["batch", "invocation", "function"]));
    expect((await journey(`ORDNOTHING${randomUUID()}`)).spans).toEqual([]);
  }, 90_000);
});
