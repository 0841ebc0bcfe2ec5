import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalMode } from "../../local/local-mode";
import { sqsRecords } from "../support/factories";
import { startSuiteLocalMode } from "../support/local-mode";
import { deleteStoreKeys, uniquePrefix } from "../support/redis";

/**
 * Every function's bundle loads with require(), as MiniStack and serverless-offline load a
 * handler (AWS uses import()): local mode's execution environments load bundles that way, so a
 * top-level `await` anywhere in a handler's module graph fails here with ERR_REQUIRE_ASYNC_MODULE.
 * Each function is invoked once and must answer as itself, not with an initialisation error.
 */

const prefix = uniquePrefix("loader");
let mode: LocalMode;

beforeAll(async () => {
  mode = await startSuiteLocalMode("loader", prefix, {
    onLog: () => {},
  });
}, 120_000);

afterAll(async () => {
  await mode?.stop();
  await deleteStoreKeys(prefix);
});

/** Names without CDK's hash suffix, e.g. `StatsFunction`. */
function functionNames(): string[] {
  return [...mode.functions.values()].map((f) => f.name);
}

function functionNamed(name: string) {
  const found = functionNames().includes(name)
    ? [...mode.functions.values()].find((f) => f.name === name)
    : undefined;
  if (!found) throw new Error(`no function ${name}; the template has ${functionNames().join(", ")}`);
  return found;
}

async function request(method: string, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${mode.apiUrl}${path}`, { method, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("bundles load with require() under Node 24", () => {
  it("runs on the Node the functions target (nodejs24.x)", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(24);
  });

  it("knows every function of the template, and this test covers each", () => {
    expect(functionNames().sort()).toEqual(
      [
        "AdminFunction",
        "Consumer",
        "DocsFunction",
        "ProducerFunction",
        "RebuildFunction",
        "StatsFunction",
      ].sort(),
    );
  });

  it("DocsFunction answers GET /api", async () => {
    const { status, body } = await request("GET", "/api");
    expect(status).toBe(200);
    expect(body.endpoints).toBeDefined();
  });

  it("ProducerFunction answers POST /produce", async () => {
    const response = await fetch(`${mode.apiUrl}/produce`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ count: 1 }),
    });
    expect(response.status).toBe(200);
  });

  it("StatsFunction (Redis client from its environment at cold start) answers GET /health", async () => {
    const { status, body } = await request("GET", "/health");
    expect(status).toBe(200);
    expect(body.status).toBe("ok");
  });

  it("AdminFunction (token read from Secrets Manager at cold start) accepts its token on GET /dlq", async () => {
    const token = mode.secrets.find((secret) => secret.logicalId.startsWith("AdminToken"))?.value;
    expect(token).toBeTruthy();
    const refused = await request("GET", "/dlq", { authorization: "Bearer not-the-token" });
    expect(refused.status).toBe(403);
    const accepted = await request("GET", "/dlq", { authorization: `Bearer ${token}` });
    expect(accepted.status).toBe(200);
  });

  it("Consumer judges a batch: a malformed record is dead-lettered, not reported for retry", async () => {
    const result = await functionNamed("Consumer").invoke({ Records: sqsRecords("not json") });
    expect(result).toEqual({ batchItemFailures: [] });
  });

  it("RebuildFunction answers an id that is not running", async () => {
    const result = await functionNamed("RebuildFunction").invoke({ id: "no-such-rebuild" });
    expect(result).toBe("not-running");
  });
});
