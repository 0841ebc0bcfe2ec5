import { request } from "node:http";
import { join } from "node:path";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../local/embedded-aws";
import { type LocalMode, startLocalMode } from "../../local/local-mode";
import { PROJECT_ROOT } from "../../local/synth";
import { apiEvent } from "../../scripts/events";
import { redisMode, redisUrl, uniquePrefix } from "../support/redis";

/**
 * Every socket local mode opens, tried as a web page the developer visits and as garbage would
 * try it: the internal stand-ins for AWS APIs (Lambda's Invoke API, Secrets Manager) answer only
 * the run's own signed requests on loopback names, and no request, however malformed, ends local
 * mode. (The embedded SQS and S3 server's own guard: test/integration/embedded-server.test.ts.)
 */

let mode: LocalMode;
const prefix = uniquePrefix("sockets");

beforeAll(async () => {
  mode = await startLocalMode({
    port: 0,
    redisUrl: redisUrl(),
    redisMode: redisMode(),
    context: { keyPrefix: prefix, logLevel: "ERROR" },
    outdir: join(PROJECT_ROOT, "cdk.out.test", "sockets"),
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
    const write = await send(api, { headers: { "content-type": "application/json" }, body: "{}" });
    expect(write.status).toBe(405);
    const crossSite = await send(api, { headers: { origin: "https://attacker.example" }, body: "{}" });
    expect(crossSite.status).toBe(403);
    for (const path of [
      "api/traces?limit=-1",
      `api/traces?order_id=${"x".repeat(101)}`,
      "api/logs?after=1e9",
      "api/queues?peek=51",
    ])
      expect((await fetch(`${mode.consoleUrl}${path}`)).status, path).toBe(400);
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
