import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore } from "../../lambdas/adapters/redis-store";
import { ROUTES } from "../../lambdas/http/routes";
import { statsHandlers } from "../../lambdas/http/stats-routes";
import { createRedisClient } from "../../lambdas/shared/clients";
import { createHttpFunction } from "../../lambdas/shared/http";
import { freePort } from "../../local/redis-server";
import { apiCaller } from "../support/api";
import { silentLogger } from "../support/fakes";

/** With Redis and the queue down: 5xx bodies say nothing of the cause, health says degraded. */

let call: ReturnType<typeof apiCaller>;
let redis: ReturnType<typeof createRedisClient>;
beforeAll(async () => {
  redis = createRedisClient(`redis://127.0.0.1:${await freePort()}`); // nothing listens there
  redis.on("error", () => {});
  const store = createRedisStore(redis, { prefix: "faults:" });
  const stats = createHttpFunction(
    ROUTES,
    "stats",
    statsHandlers({
      store,
      queueDepths: () => Promise.reject(new Error("connect ECONNREFUSED 10.1.2.3:4566")),
    }),
    { logger: silentLogger, bodyLimitBytes: 1024 },
  );
  call = apiCaller({ stats });
});
afterAll(() => redis.disconnect());

describe("when dependencies are down", () => {
  it("answers 500 with a generic body, no internals", async () => {
    const response = await call("GET", "/stats/global");
    expect(response.status).toBe(500);
    expect(response.json).toEqual({ error: "internal error", details: [] });
    expect(response.text).not.toMatch(/ECONNREFUSED|redis|stack|at /i);
  });

  it("answers 503 for the queues' depth, naming no internals", async () => {
    const response = await call("GET", "/stats/queues");
    expect(response.status).toBe(503);
    expect(response.json).toEqual({ error: "the queues cannot be reached", details: [] });
  });

  it("reports degraded health with 503", async () => {
    const response = await call("GET", "/health");
    expect(response.status).toBe(503);
    expect(response.json).toMatchObject({
      status: "degraded",
      checks: { redis: { ok: false }, queue: { ok: false } },
    });
    expect(response.text).not.toContain("ECONNREFUSED");
  });
});
