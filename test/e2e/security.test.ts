import { request as httpRequest } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { LocalMode } from "../../local/local-mode";
import { startSuiteLocalMode } from "../support/local-mode";
import { deleteStoreKeys, uniquePrefix } from "../support/redis";

/**
 * The security posture as a client sees it, over real HTTP against local mode: headers on every
 * answer, pages that only run their own scripts, compressed and cacheable assets, an audit line
 * for every admin request, and a local API no web page elsewhere can drive.
 */

const prefix = uniquePrefix("security");
let mode: LocalMode;
const functionLines: string[] = [];

beforeAll(async () => {
  mode = await startSuiteLocalMode("security", prefix, {
    onLog: (_source, line) => functionLines.push(line),
  });
}, 120_000);

afterAll(async () => {
  await mode?.stop();
  await deleteStoreKeys(prefix);
});

const adminToken = () => mode.secrets.find((secret) => secret.name === "AdminToken")?.value ?? "";

/** A raw HTTP request, so that Host and Origin can be anything a browser might send. */
function send(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const url = new URL(`${mode.apiUrl}${path}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("headers", () => {
  it.each([
    ["GET", "/api", 200],
    ["GET", "/stats/global", 200],
    ["GET", "/stats/monthly/not-a-month", 400],
    ["GET", "/users/U404/stats", 404],
    ["DELETE", "/clear_redis_db", 401],
    ["GET", "/docs", 200],
    ["GET", "/dashboard", 200],
    ["GET", "/static/dashboard.js", 200],
  ])("%s %s (%i) says nosniff and no referrer", async (method, path, status) => {
    const answer = await send(method, path);
    expect(answer.status).toBe(status);
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    expect(answer.headers["referrer-policy"]).toBe("no-referrer");
  });

  it.each(["/docs", "/dashboard"])("%s runs only its own scripts and refuses to be framed", async (path) => {
    const answer = await send("GET", path);
    const policy = String(answer.headers["content-security-policy"]);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toMatch(/script-src 'self'( 'sha256-[\w+/=]+')*;/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain("unsafe-eval");
    expect(answer.headers["x-frame-options"]).toBe("DENY");
  });
});

describe("static assets", () => {
  it("links each asset with its content hash, cacheable for a year under it", async () => {
    const page = (await send("GET", "/docs")).body.toString();
    const link = /static\/swagger-ui-bundle\.js\?v=([0-9a-f]{16})/.exec(page);
    expect(link).not.toBeNull();
    const hashed = await send("GET", `/static/swagger-ui-bundle.js?v=${link?.[1]}`);
    expect(hashed.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(hashed.headers.etag).toBe(`"${link?.[1]}"`);
    const stale = await send("GET", "/static/swagger-ui-bundle.js?v=0000000000000000");
    expect(stale.headers["cache-control"]).toBe("public, max-age=300");
  });

  it("sends them compressed to clients that accept it: brotli first, then gzip, the same bytes", async () => {
    const plain = await send("GET", "/static/swagger-ui-bundle.js");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    const brotli = await send("GET", "/static/swagger-ui-bundle.js", {
      "accept-encoding": "gzip, deflate, br",
    });
    expect(brotli.headers["content-encoding"]).toBe("br");
    expect(brotli.headers.vary).toBe("accept-encoding");
    expect(brotliDecompressSync(brotli.body).equals(plain.body)).toBe(true);
    expect(brotli.body.length).toBeLessThan(plain.body.length / 3);
    const gzip = await send("GET", "/static/swagger-ui-bundle.js", { "accept-encoding": "gzip" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
  });
});

describe("the audit trail", () => {
  const auditLines = () =>
    functionLines
      .filter((line) => line.includes('"audit"'))
      .map((line) => JSON.parse(line.slice(line.indexOf("{"))));

  it("logs every admin request, allowed or refused, with who asked, and never the token", async () => {
    const token = adminToken();
    const auth = { authorization: `Bearer ${token}`, "user-agent": "audit-test/1.0" };
    expect((await send("GET", "/dlq", auth)).status).toBe(200);
    expect((await send("POST", "/dlq/redrive", auth)).status).toBe(200);
    expect((await send("DELETE", "/clear_redis_db", { authorization: "Bearer wrong-token" })).status).toBe(
      403,
    );
    expect((await send("DELETE", "/clear_redis_db", {})).status).toBe(401);
    expect((await send("POST", "/admin/rebuild", auth)).status).toBe(202);
    expect((await send("DELETE", "/clear_redis_db", auth)).status).toBe(409); // a rebuild is running

    await vi.waitFor(() => expect(auditLines().length).toBeGreaterThanOrEqual(6), { timeout: 10_000 });
    const audits = auditLines().map((line) => line.audit);
    expect(audits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: "getDeadLetters",
          outcome: "allowed",
          status: 200,
          user_agent: "audit-test/1.0",
        }),
        expect.objectContaining({ action: "redriveDeadLetters", outcome: "allowed", status: 200 }),
        expect.objectContaining({ action: "clearData", outcome: "refused", status: 403 }),
        expect.objectContaining({ action: "clearData", outcome: "refused", status: 401 }),
        expect.objectContaining({ action: "startRebuild", outcome: "allowed", status: 202 }),
        expect.objectContaining({ action: "clearData", outcome: "failed", status: 409 }),
      ]),
    );
    for (const audit of audits) {
      expect(audit.source_ip).toBe("127.0.0.1");
      expect(audit.request_id).toEqual(expect.any(String));
    }
    expect(functionLines.join("\n")).not.toContain(token);
  });
});

describe("local mode and web pages elsewhere", () => {
  const json = { "content-type": "application/json" };

  it("answers only the loopback's names: a rebound foreign Host is refused", async () => {
    const rebound = await send("GET", "/stats/global", { host: "rebind.attacker.example" });
    expect(rebound.status).toBe(403);
    expect(rebound.body.toString()).toContain("--allowed-host");
    const port = new URL(mode.apiUrl).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `app.localhost:${port}`]) {
      expect((await send("GET", "/api", { host })).status).toBe(200);
    }
  });

  it("refuses what a form on another site would send: an empty POST, or a POST from another origin", async () => {
    const before = (await send("GET", "/stats/queues")).body.toString();
    const empty = await send("POST", "/produce");
    expect(empty.status).toBe(415);
    // In the API's error shape, as every other 4xx of the API.
    expect(JSON.parse(empty.body.toString())).toEqual({
      error: "unsupported media type",
      details: [expect.stringContaining("POST needs Content-Type: application/json here, and none was sent")],
    });
    const form = await send(
      "POST",
      "/produce",
      { "content-type": "application/x-www-form-urlencoded" },
      "count=5",
    );
    expect(form.status).toBe(415);
    expect(form.body.toString()).toContain('not \\"application/x-www-form-urlencoded\\"'); // what was sent
    const foreign = await send(
      "POST",
      "/produce",
      { ...json, origin: "https://evil.example" },
      '{"count":1}',
    );
    expect(foreign.status).toBe(403);
    expect((await send("DELETE", "/clear_redis_db", { origin: "https://evil.example" })).status).toBe(403);
    // Nothing was queued by any of them.
    expect((await send("GET", "/stats/queues")).body.toString()).toBe(before);

    const own = `http://${new URL(mode.apiUrl).host}`;
    expect((await send("POST", "/produce", { ...json, origin: own }, '{"count":1}')).status).toBe(200);
    expect((await send("POST", "/produce", json, '{"count":1}')).status).toBe(200);
  });
});
