import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { startEmbeddedAws } from "../../local/embedded-aws";
import type { LocalMode } from "../../local/local-mode";
import { PROJECT_ROOT } from "../../local/synth";
import { startSuiteLocalMode } from "../support/local-mode";
import { deleteStoreKeys, uniquePrefix } from "../support/redis";

/** Local mode runs what the template says: change the CDK app, not local mode, and it follows. */

const prefix = uniquePrefix("template");
const running: LocalMode[] = [];

async function boot(options: { context?: Record<string, string>; appModule?: string; name: string }) {
  const mode = await startSuiteLocalMode(options.name, prefix, {
    context: options.context,
    appModule: options.appModule,
  });
  running.push(mode);
  return mode;
}

afterAll(async () => {
  await Promise.all(running.map((mode) => mode.stop()));
  await deleteStoreKeys(prefix);
});

describe("local mode follows the CDK app", () => {
  it("batches by the template's BatchSize and MaximumConcurrency (here -c batchSize=7 -c maxConcurrency=2)", async () => {
    const mode = await boot({
      name: "batch7",
      context: { batchSize: "7", batchingWindowSeconds: "1", maxConcurrency: "2" },
    });
    expect(mode.model.mappings).toEqual([expect.objectContaining({ batchSize: 7, maxConcurrency: 2 })]);
    expect(mode.pollers).toHaveLength(1);

    const response = await fetch(`${mode.apiUrl}/produce`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ count: 100 }),
    });
    expect(response.status).toBe(200);
    const poller = mode.pollers[0];
    await vi.waitFor(() => expect(poller?.stats.deleted).toBe(100), { timeout: 60_000, interval: 200 });
    expect(poller?.stats.largestBatch).toBe(7);
    expect(poller?.stats.batches).toBeGreaterThanOrEqual(Math.ceil(100 / 7));
  }, 120_000);

  it("checks x-api-key on the write routes when the stack turns keys on (-c writeAuth=apiKey)", async () => {
    const keyed = await boot({ name: "keyed", context: { writeAuth: "apiKey" } });
    const produce = (headers: Record<string, string>) =>
      fetch(`${keyed.apiUrl}/produce`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ count: 3 }),
      });
    expect(keyed.apiKey).toEqual(expect.any(String));
    expect((await produce({})).status).toBe(403);
    expect((await produce({ "x-api-key": "wrong" })).status).toBe(403);
    expect((await produce({ "x-api-key": keyed.apiKey as string })).status).toBe(200);
    expect((await fetch(`${keyed.apiUrl}/stats/global`)).status).toBe(200); // reads stay open
  }, 120_000);

  it("serves a route added to the CDK app, through the function it names", async () => {
    const plain = await boot({ name: "plain" });
    expect((await fetch(`${plain.apiUrl}/extra`)).status).toBe(403); // no such route: API Gateway's answer

    const extended = await boot({
      name: "extra-route",
      appModule: join(PROJECT_ROOT, "test/fixtures/extra-route-app.ts"),
    });
    const response = await fetch(`${extended.apiUrl}/extra`);
    // The stats function got the request, and its own router answers for a route it has no handler for.
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "no route for GET /extra", details: [] });
  }, 120_000); // two synths with bundling, on a loaded machine
});

describe("a start that fails", () => {
  const startWith = (options: { port: number; sqsPort: number; appModule?: string }) =>
    startSuiteLocalMode(options.appModule ? "failed-synth" : "e2e", prefix, options);

  it("at the synth: stops what had started beside it, and says why", async () => {
    const sqsPort = await freePort();
    await expect(
      startWith({ port: 0, sqsPort, appModule: join(PROJECT_ROOT, "test", "fixtures", "no-such-app.ts") }),
    ).rejects.toThrow(/synth failed/);
    // The embedded SQS server had started beside the synth: nothing listens on its port now.
    await (await startEmbeddedAws({ port: sqsPort })).stop();
  });

  it("at the last step (the API's port is taken): stops the functions, pollers and servers started before", async () => {
    const taken = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => taken.once("listening", resolve));
    const sqsPort = await freePort();
    try {
      await expect(startWith({ port: (taken.address() as AddressInfo).port, sqsPort })).rejects.toThrow(
        /EADDRINUSE/,
      );
    } finally {
      taken.close();
    }
    await (await startEmbeddedAws({ port: sqsPort })).stop();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
