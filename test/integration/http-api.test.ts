import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { z } from "zod";
import type { AnalyticsEntry } from "../../lambdas/core/analytics-store";
import { adminHandlers } from "../../lambdas/http/admin-routes";
import { ROUTES, type RouteSpec } from "../../lambdas/http/routes";
import { ErrorResponse } from "../../lambdas/http/schemas";
import { ConfigError } from "../../lambdas/shared/config";
import { createHttpFunction } from "../../lambdas/shared/http";
import type { ApiResponse } from "../support/api";
import { orderMessage } from "../support/factories";
import { silentLogger } from "../support/fakes";
import { deleteKeys } from "../support/redis";
import { startTestApi, type TestApi } from "../support/test-api";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ name: "http", adminToken: "s3cret-token", bodyLimitBytes: 64 * 1024 });
});
afterAll(() => api.close());
beforeEach(() => deleteKeys(api.redis, api.prefix));

/** Asserts the response has the route's success status and matches its schema. */
function expectSuccess(response: ApiResponse, route: RouteSpec) {
  expect(response.status, response.text).toBe(route.success.status);
  const parsed = (route.success.schema as z.ZodType).safeParse(response.json ?? response.text);
  expect(parsed.error?.issues ?? []).toEqual([]);
}

/** Asserts a JSON error body with the status, and a detail mentioning `field`. */
function expectError(response: ApiResponse, status: number, field?: string) {
  expect(response.status, response.text).toBe(status);
  expect(response.headers["content-type"]).toContain("application/json");
  expect(ErrorResponse.safeParse(response.json).success).toBe(true);
  if (field) expect(response.json.details.join("\n")).toContain(field);
}

const order = (overrides: Record<string, unknown> = {}) =>
  orderMessage({ order_id: "ORD-HTTP-1", user_id: "U1001", ...overrides });

async function seed(entries: AnalyticsEntry[]) {
  await api.store.record(entries);
}
const valid = (id: string, userId: string, cents: number, month = "2026-11"): AnalyticsEntry => ({
  kind: "valid",
  messageId: `m-${id}`,
  orderId: `ORD${id}`,
  userId,
  month,
  valueCents: cents,
  sentAtMs: 0,
  log: JSON.stringify({ message_id: `m-${id}`, order_id: `ORD${id}`, user_id: userId }),
});

describe("GET /api", () => {
  it("answers the original's object, with real paths, and every route as data", async () => {
    const response = await api.call("GET", "/api");
    expectSuccess(response, ROUTES.getApiInfo);
    expect(response.json).toMatchObject({ status: 200, message: "SQS Order Management API" });
    expect(response.json.endpoints).toMatchObject({
      produce: expect.stringMatching(/^POST \/produce - /),
      delete_redis_db: expect.stringMatching(/^DELETE \/clear_redis_db - /),
      "users/{user_id}/stats": expect.stringMatching(/^GET \/users\/\{user_id\}\/stats - /),
      orders: expect.stringMatching(/^POST \/orders - /),
    });
    // Every route once, both methods of a path served for two among them.
    expect(Object.keys(response.json.endpoints)).toHaveLength(response.json.routes.length);
    expect(response.json.endpoints).toMatchObject({
      "admin/rebuild (POST)": expect.stringMatching(/^POST \/admin\/rebuild - /),
      "admin/rebuild (GET)": expect.stringMatching(/^GET \/admin\/rebuild - /),
    });
    const listed = response.json.routes.map((e: { method: string; path: string }) => `${e.method} ${e.path}`);
    expect(listed).toContain("GET /users/{user_id}/stats");
    expect(listed).toContain("POST /orders");
    expect(response.json.docs).toBe("docs");
    // GET / answers the same, so the bare invoke URL is not a 403
    const root = await api.call("GET", "/");
    expectSuccess(root, ROUTES.getRoot);
    expect(root.json).toEqual(response.json);
  });
});

describe("POST /produce", () => {
  it("sends the default 10 orders when no body is given, answering the original's four fields each", async () => {
    const before = Date.now();
    const response = await api.call("POST", "/produce");
    expectSuccess(response, ROUTES.produceOrders);
    expect(response.json.message).toBe("Successfully sent 10 orders to queue");
    expect(response.json.orders).toHaveLength(10);
    for (const produced of response.json.orders) {
      expect(Object.keys(produced).sort()).toEqual(["message_id", "order_id", "order_value", "user_id"]);
    }
    const messages = await api.receiveAll();
    expect(messages.map((m) => m.messageId).sort()).toEqual(
      response.json.orders.map((o: { message_id: string }) => o.message_id).sort(),
    );
    // Stamped now, in the original's format (UTC to the second)
    for (const message of messages) {
      const stamped = JSON.parse(message.body).order_timestamp as string;
      expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Date.parse(stamped)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(Date.parse(stamped)).toBeLessThanOrEqual(Date.now());
    }
  });

  it("answers whole orders with full_orders, spread over past days with spread_days", async () => {
    const response = await api.call("POST", "/produce", {
      body: { count: 200, full_orders: true, spread_days: 90 },
    });
    expectSuccess(response, ROUTES.produceOrders);
    const stamps = response.json.orders.map((o: { order_timestamp: string }) =>
      Date.parse(o.order_timestamp),
    );
    expect(response.json.orders[0]).toMatchObject({
      items: expect.any(Array),
      message_id: expect.any(String),
    });
    expect(Math.min(...stamps)).toBeGreaterThanOrEqual(Date.now() - 90 * 86_400_000 - 1000);
    expect(Math.max(...stamps) - Math.min(...stamps)).toBeGreaterThan(30 * 86_400_000);
    expect(await api.consumeAll()).toBe(200);
  });

  it("sends count orders with unique ids, 1000 well within API Gateway's 29 s limit", async () => {
    const started = performance.now();
    const response = await api.call("POST", "/produce", { body: { count: 1000 } });
    expect(performance.now() - started).toBeLessThan(29_000); // API Gateway's limit, with a wide margin
    expectSuccess(response, ROUTES.produceOrders);
    expect(new Set(response.json.orders.map((o: { order_id: string }) => o.order_id)).size).toBe(1000);
    expect(await api.consumeAll()).toBe(1000);
  });

  it.each([
    ["zero", { count: 0 }, "body.count"],
    ["over 1000", { count: 1001 }, "body.count"],
    ["not a number", { count: "ten" }, "body.count"],
    ["a fraction", { count: 1.5 }, "body.count"],
    ["an unknown field", { cnt: 5 }, "cnt"],
    ["spread over more than a year", { count: 5, spread_days: 366 }, "body.spread_days"],
    ["asking full orders with a string", { count: 5, full_orders: "yes" }, "body.full_orders"],
    ["an array", [1], "body"],
  ])("refuses a count that is %s", async (_label, body, field) => {
    expectError(await api.call("POST", "/produce", { body }), 400, field);
  });

  it("refuses malformed JSON with 400 naming the body", async () => {
    const response = await api.call("POST", "/produce", {
      body: '{"count": 5',
      headers: { "content-type": "application/json" },
    });
    expectError(response, 400, "body");
  });

  it("refuses a body that is not JSON with 415", async () => {
    const response = await api.call("POST", "/produce", {
      body: "count=5",
      headers: { "Content-Type": "text/plain" },
    });
    expectError(response, 415, "content-type");
  });
});

describe("POST /orders", () => {
  it("queues valid and rule-breaking orders alike and answers 202 with message ids", async () => {
    const response = await api.call("POST", "/orders", {
      body: {
        orders: [order(), order({ order_id: "BAD-1" }), order({ order_id: "ORD-HTTP-2", order_value: 1 })],
      },
    });
    expectSuccess(response, ROUTES.submitOrders);
    expect(response.json.accepted).toBe(3);
    expect(response.json.orders[0]).toEqual({ order_id: "ORD-HTTP-1", message_id: expect.any(String) });

    await api.consumeAll();
    const global = await api.call("GET", "/stats/global");
    expect(global.json).toMatchObject({
      total_orders: 1,
      total_revenue: 1234.5,
      failed_orders: 2,
      failed_by_reason: { invalid_order_id: 1, value_mismatch: 1 },
    });
  });

  it.each([
    ["missing body", undefined, 400, "body"],
    ["no orders", { orders: [] }, 400, "body.orders"],
    ["101 orders", { orders: Array.from({ length: 101 }, () => order()) }, 400, "body.orders"],
    ["a string value", { orders: [order({ order_value: "12.50" })] }, 400, "body.orders.0.order_value"],
    ["three decimals", { orders: [order({ order_value: 1.234 })] }, 400, "body.orders.0.order_value"],
    [
      "a bad timestamp",
      { orders: [order({ order_timestamp: "yesterday" })] },
      400,
      "body.orders.0.order_timestamp",
    ],
    ["a missing field", { orders: [{ ...order(), user_id: undefined }] }, 400, "body.orders.0.user_id"],
  ])("refuses %s", async (_label, body, status, field) => {
    expectError(await api.call("POST", "/orders", { body }), status, field);
    expect(await api.consumeAll()).toBe(0);
  });

  it("refuses a body over the size limit with 413", async () => {
    const big = { orders: [order({ shipping_address: "x".repeat(70 * 1024) })] };
    expectError(await api.call("POST", "/orders", { body: big }), 413, "body");
  });
});

describe("stats routes", () => {
  beforeEach(() =>
    seed([
      valid("1", "U1000", 1050),
      valid("2", "U1001", 2000),
      valid("3", "U1000", 99, "2026-10"),
      {
        kind: "failed",
        messageId: "m-f",
        orderId: "ORD-F",
        reason: "value_mismatch",
        userId: "U1001",
        month: "2026-11",
        sentAtMs: 0,
        log: "{}",
      },
      { kind: "malformed", messageId: "m-x", log: '{"message_id":"m-x","reason":"malformed"}' },
    ]),
  );

  it("GET /stats/global shows totals, failures by reason and duplicates", async () => {
    const response = await api.call("GET", "/stats/global");
    expectSuccess(response, ROUTES.getGlobalStats);
    expect(response.json).toEqual({
      total_orders: 3,
      total_revenue: 31.49,
      failed_orders: 2,
      duplicates: 0,
      corrected_orders: 0,
      failed_by_reason: { value_mismatch: 1, malformed: 1 },
    });
  });

  it("GET /users ranks by spend and by order count with 1-based positions, bounded by limit", async () => {
    const response = await api.call("GET", "/users", { query: { limit: "2" } });
    expectSuccess(response, ROUTES.getRankings);
    expect(response.json).toEqual({
      total_spend_ranking: [
        { position: 1, user_id: "U1001", total_spend: 20 },
        { position: 2, user_id: "U1000", total_spend: 11.49 },
      ],
      total_order_count_ranking: [
        { position: 1, user_id: "U1000", total_order_count: 2 },
        { position: 2, user_id: "U1001", total_order_count: 1 },
      ],
    });
    const one = await api.call("GET", "/users", { query: { limit: "1" } });
    expect(one.json.total_spend_ranking).toHaveLength(1);
  });

  it("GET /users/{user_id}/stats answers for a known user, 404 for an unknown one, 400 for a bad id", async () => {
    const known = await api.call("GET", "/users/U1000/stats");
    expectSuccess(known, ROUTES.getUserStats);
    expect(known.json).toEqual({
      user_id: "U1000",
      order_count: 2,
      total_spend: 11.49,
      failed_order_count: 0,
    });
    expectError(await api.call("GET", "/users/U9999/stats"), 404);
    expectError(await api.call("GET", "/users/bob/stats"), 400, "path.user_id");
  });

  it("GET /stats/monthly/{month} sorts users by spend; 404 without data; 400 for a bad month", async () => {
    const response = await api.call("GET", "/stats/monthly/2026-11");
    expectSuccess(response, ROUTES.getMonthlyStats);
    expect(response.json).toMatchObject({
      month: "2026-11",
      total_orders: 2,
      total_revenue: 30.5,
      user_count: 2,
    });
    expect(response.json.user_stats.map((u: { user_id: string }) => u.user_id)).toEqual(["U1001", "U1000"]);
    expectError(await api.call("GET", "/stats/monthly/2026-01"), 404);
    for (const bad of ["2026-13", "2026-1", "nov-2026", "2026-11-01"]) {
      expectError(await api.call("GET", `/stats/monthly/${bad}`), 400, "path.month");
    }
    // A month that has the shape but not a month's number says which part is wrong.
    expectError(await api.call("GET", "/stats/monthly/2026-13"), 400, "MM from 01 to 12");
  });

  it("GET /stats/months lists months with data", async () => {
    const response = await api.call("GET", "/stats/months");
    expectSuccess(response, ROUTES.getMonths);
    expect(response.json).toEqual({ months: ["2026-10", "2026-11"] });
  });

  it("GET /stats/monthly answers every month's totals in one call, the latest `limit`, oldest first", async () => {
    const response = await api.call("GET", "/stats/monthly");
    expectSuccess(response, ROUTES.getMonthTotals);
    const november = await api.call("GET", "/stats/monthly/2026-11");
    const { user_count: _count, user_stats: _users, ...novemberTotals } = november.json;
    expect(response.json.months.map((m: { month: string }) => m.month)).toEqual(["2026-10", "2026-11"]);
    expect(response.json.months[1]).toEqual(novemberTotals);
    const latest = await api.call("GET", "/stats/monthly", { query: { limit: "1" } });
    expect(latest.json.months.map((m: { month: string }) => m.month)).toEqual(["2026-11"]);
    expectError(await api.call("GET", "/stats/monthly", { query: { limit: "0" } }), 400, "query.limit");
  });

  it("GET /consumer_logs returns the latest entries oldest first, in the original's wording, bounded by limit", async () => {
    const response = await api.call("GET", "/consumer_logs", { query: { limit: "2" } });
    expectSuccess(response, ROUTES.getConsumerLogs);
    expect(response.json.total_logs).toBe(2);
    expect(response.json.logs.map((l: { status: string }) => l.status)).toEqual(["failed", "malformed"]);
    const newest = response.json.logs[1];
    expect(newest).toMatchObject({ status: "malformed", message_id: "m-x" });
    expect(newest.message).toMatch(/^\[ERROR\] Error processing message: /);
    expect(newest.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(Date.parse(newest.recorded_at)).toBeGreaterThan(Date.now() - 60_000);
    const all = await api.call("GET", "/consumer_logs");
    expect(all.json.logs[0].message).toBe("[USER: U1000] [ORDER: ORD1] Processed successfully");
  });

  // The query string is text: only digits are read as a number, then held to the bounds.
  it.each([
    ["/users", "0", "query.limit: Too small: expected number to be >=1"],
    ["/users", "-1", "query.limit: Too small: expected number to be >=1"],
    ["/users", "101", "query.limit: Too big: expected number to be <=100"],
    ["/users", "ten", "query.limit: must be a whole number"],
    ["/users", "abc", "query.limit: must be a whole number"],
    ["/users", "1.5", "query.limit: must be a whole number"],
    ["/users", "1e2", "query.limit: must be a whole number"],
    ["/users", " 5", "query.limit: must be a whole number"],
    ["/users", "", "query.limit: must be a whole number"],
    ["/consumer_logs", "1001", "query.limit: Too big: expected number to be <=1000"],
    ["/stats/monthly", "121", "query.limit: Too big: expected number to be <=120"],
    ["/stats/monthly/2026-11", "0", "query.limit: Too small: expected number to be >=1"],
  ])("GET %s refuses limit=%j with 400 naming limit", async (path, limit, detail) => {
    const response = await api.call("GET", path, { query: { limit } });
    expectError(response, 400, "query.limit");
    expect(response.json.details).toEqual([detail]);
  });

  it("reads limit as a number, and applies the route's default (12 months) without one", async () => {
    await seed(
      Array.from({ length: 12 }, (_, i) =>
        valid(`M${i}`, "U1000", 100, `2025-${String(i + 1).padStart(2, "0")}`),
      ),
    );
    const months = async (query?: { limit: string }) =>
      (await api.call("GET", "/stats/monthly", query ? { query } : {})).json.months.length;
    expect(await months()).toBe(12); // of 14
    expect(await months({ limit: "007" })).toBe(7);
    expect(await months({ limit: "13" })).toBe(13);
  });
});

describe("GET /stats/queues", () => {
  it("shows the depth of the queue and of the dead-letter queue", async () => {
    await api.call("POST", "/produce", { body: { count: 12 } });
    const response = await api.call("GET", "/stats/queues");
    expectSuccess(response, ROUTES.getQueueStats);
    expect(response.json).toEqual({
      queue: { messages: 12, in_flight: 0 },
      dead_letter_queue: { messages: 0, in_flight: 0 },
    });
    await api.consumeAll();
  });
});

describe("GET /dashboard", () => {
  it("serves the page and its chart library from the stack itself", async () => {
    const page = await api.call("GET", "/dashboard");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    // Relative: the page works wherever the API is mounted (the browser test loads it under a prefix).
    expect(page.text).toMatch(/src="static\/uPlot\.iife\.min\.js\?v=[0-9a-f]{16}"/);
    expect(page.text).not.toMatch(/https?:\/\/|(src|href)="\//);
    const chartLibrary = await api.call("GET", "/static/uPlot.iife.min.js");
    expect(chartLibrary.status).toBe(200);
    expect(chartLibrary.text).toContain("uPlot");
  });
});

describe("GET /health", () => {
  it("is ok when Redis and the queue answer", async () => {
    const response = await api.call("GET", "/health");
    expectSuccess(response, ROUTES.getHealth);
    expect(response.json.checks.queue.approximate_messages).toBe(0);
  });
});

describe("DELETE /clear_redis_db", () => {
  beforeEach(() => seed([valid("c1", "U1000", 100)]));

  it("refuses to start with no admin token, unless auth is explicitly off", () => {
    const options = { logger: silentLogger, bodyLimitBytes: 1024 };
    const handlers = adminHandlers({ store: api.store, deadLetters: api.deadLetters });
    expect(() => createHttpFunction(ROUTES, "admin", handlers, options)).toThrow(ConfigError);
    expect(() =>
      createHttpFunction(ROUTES, "admin", handlers, { ...options, adminAuth: "off" }),
    ).not.toThrow();
  });

  it("needs the admin token: 401 without, 403 when wrong", async () => {
    expectError(await api.call("DELETE", "/clear_redis_db"), 401, "authorization");
    expectError(
      await api.call("DELETE", "/clear_redis_db", { headers: { Authorization: "Bearer nope" } }),
      403,
    );
    expectError(
      await api.call("DELETE", "/clear_redis_db", { headers: { Authorization: "Basic s3cret-token" } }),
      401,
    );
    expect((await api.call("GET", "/stats/global")).json.total_orders).toBe(1);
  });

  it("deletes this deployment's keys with the right token", async () => {
    const response = await api.call("DELETE", "/clear_redis_db", {
      headers: { authorization: "Bearer s3cret-token" },
    });
    expectSuccess(response, ROUTES.clearData);
    expect(response.json.message).toBe("Redis database cleared");
    expect((await api.call("GET", "/stats/global")).json.total_orders).toBe(0);
  });
});

describe("GET /docs", () => {
  it("serves Swagger UI pointing at this deployment's OpenAPI document and local assets", async () => {
    const page = await api.call("GET", "/docs");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.text).toContain('url: "openapi.json"');
    expect(page.text).toMatch(/src="static\/swagger-ui-bundle\.js\?v=[0-9a-f]{16}"/);
    expect(page.text).not.toMatch(/https?:\/\/|(src|href)="\//);

    const script = await api.call("GET", "/static/swagger-ui-bundle.js");
    expect(script.status).toBe(200);
    expect(script.headers["content-type"]).toContain("javascript");
    expect(script.text.length).toBeGreaterThan(100_000);
    expectError(await api.call("GET", "/static/evil.js"), 400, "path.asset");
  });

  it("serves the OpenAPI document with a server relative to where it is served", async () => {
    const response = await api.call("GET", "/openapi.json");
    expect(response.status).toBe(200);
    expect(response.json.servers).toEqual([{ url: ".", description: expect.any(String) }]);
  });
});

describe("the dead letters: GET /dlq and POST /dlq/redrive", () => {
  const admin = { headers: { Authorization: "Bearer s3cret-token" } };

  it("need the admin token", async () => {
    expectError(await api.call("GET", "/dlq"), 401, "authorization");
    expectError(await api.call("POST", "/dlq/redrive"), 401, "authorization");
  });

  it("lists dead letters with their reason without removing them, moves them back, and counts them once", async () => {
    const sent = await api.sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: api.queueUrl,
        Entries: [
          { Id: "a", MessageBody: "oops" },
          { Id: "b", MessageBody: JSON.stringify({ order_id: "ORD-DLQ-1" }) },
        ],
      }),
    );
    const originalIds = (sent.Successful ?? []).map((s) => s.MessageId).sort();
    await api.consumeAll();

    const listed = await api.call("GET", "/dlq", { ...admin, query: { limit: "10" } });
    expectSuccess(listed, ROUTES.getDeadLetters);
    expect(listed.json.approximate_total).toBe(2);
    const letters = listed.json.dead_letters as Record<string, unknown>[];
    expect(letters.map((l) => l.source_message_id).sort()).toEqual(originalIds);
    expect(letters.every((l) => l.reason === "malformed")).toBe(true);
    expect(letters.find((l) => l.order_id === "ORD-DLQ-1")?.details).toContain("user_id");
    expect(letters.find((l) => l.body === "oops")?.details).toBe("body: not valid JSON");
    // Reading left them there
    const again = await api.call("GET", "/dlq", admin);
    expect(again.json.dead_letters).toHaveLength(2);

    const redriven = await api.call("POST", "/dlq/redrive", admin);
    expectSuccess(redriven, ROUTES.redriveDeadLetters);
    expect(redriven.json).toEqual({ moved: 2, method: "copy", finished: true });
    expect((await api.call("GET", "/stats/queues")).json).toMatchObject({
      queue: { messages: 2 },
      dead_letter_queue: { messages: 0 },
    });

    // Still malformed: back in the dead-letter queue with their reason, and counted once, not twice.
    await api.consumeAll();
    const back = await api.call("GET", "/dlq", admin);
    expect(
      (back.json.dead_letters as Record<string, unknown>[]).map((l) => l.source_message_id).sort(),
    ).toEqual(originalIds);
    expect((await api.call("GET", "/stats/global")).json.failed_by_reason).toEqual({ malformed: 2 });
  });
});

describe("input a hostile probe found mishandled", () => {
  it("queues and counts orders with emoji in every text field; they reach the consumer unchanged", async () => {
    const emoji = "😀 🚚";
    const response = await api.call("POST", "/orders", {
      body: {
        orders: [
          order({
            order_id: "ORD-EMOJI-1",
            shipping_address: `1 Rue ${emoji}`,
            payment_method: `UPI ${emoji}`,
            items: [{ product_id: `P${emoji}`, quantity: 3, price_per_unit: 411.5 }],
          }),
          order({ order_id: `ORD-${emoji}` }), // queued; the consumer judges the order id
        ],
      },
    });
    expect(response.status, response.text).toBe(202);
    const messages = await api.receiveAll();
    expect(messages.every((m) => /^[\x20-\x7e]*$/.test(m.body))).toBe(true); // sent as ASCII escapes
    expect(JSON.parse(messages[0]?.body ?? "{}").shipping_address).toBe(`1 Rue ${emoji}`);
    await api.call("POST", "/orders", {
      body: { orders: [order({ order_id: "ORD-EMOJI-2", payment_method: emoji })] },
    });
    expect(await api.consumeAll()).toBe(1);
    expect((await api.call("GET", "/stats/global")).json).toMatchObject({ total_orders: 1 });
  });

  it.each([
    ["shipping_address", "\uFFFE", "U+FFFE"],
    ["payment_method", "\uFFFF", "U+FFFF"],
    ["user_id", "U1\u0001", "U+0001"],
    ["order_id", "ORD\uD800", "U+D800"],
  ])("refuses %s holding a character no SQS accepts, naming it", async (field, value, named) => {
    const response = await api.call("POST", "/orders", { body: { orders: [order({ [field]: value })] } });
    expectError(response, 400, `body.orders.0.${field}`);
    expect(response.json.details.join()).toContain(named);
    expect(await api.consumeAll()).toBe(0);
  });

  it.each([
    ["/produce", "null", "got null"],
    ["/orders", "null", "got null"],
    ["/produce", "7", "got number"],
  ])(
    "refuses POST %s with the body %s: a body must be a JSON object, and nothing is queued",
    async (path, body, got) => {
      const response = await api.call("POST", path, {
        body,
        headers: { "content-type": "application/json" },
      });
      expectError(response, 400, got);
      expect(response.json.error).toBe("request body must be a JSON object");
      expect(await api.consumeAll()).toBe(0);
    },
  );

  it.each(["9999-12-31T23:59:59-01:00", "0000-01-01T00:30:00+01:00"])(
    "refuses the timestamp %s, whose UTC time is outside years 0000-9999",
    async (timestamp) => {
      const response = await api.call("POST", "/orders", {
        body: { orders: [order({ order_timestamp: timestamp })] },
      });
      expectError(response, 400, "body.orders.0.order_timestamp");
      expect(response.json.details.join()).toContain("years 0000-9999");
    },
  );

  it("accepts the edges of that range", async () => {
    for (const timestamp of ["9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "9999-12-31T23:30:00+01:00"]) {
      expect(
        (await api.call("POST", "/orders", { body: { orders: [order({ order_timestamp: timestamp })] } }))
          .status,
      ).toBe(202);
    }
    await api.consumeAll();
  });

  it("refuses an Authorization header with anything after the token", async () => {
    const response = await api.call("DELETE", "/clear_redis_db", {
      headers: { Authorization: "Bearer s3cret-token junk" },
    });
    expectError(response, 401, "authorization");
    expect(
      (await api.call("DELETE", "/clear_redis_db", { headers: { Authorization: "bearer s3cret-token" } }))
        .status,
    ).toBe(200);
  });
});

describe("refusals that say what is wrong", () => {
  const json = { "content-type": "application/json" };

  it("names a body nested too deep, instead of the engine's stack overflow", async () => {
    const deep = `{"orders": ${"[".repeat(5000)}${"]".repeat(5000)}}`;
    const response = await api.call("POST", "/orders", { body: deep, headers: json });
    expectError(response, 400, "nested more than 32 levels deep");
  });

  it("names a forbidden key with its path, instead of calling the body invalid JSON", async () => {
    const top = await api.call("POST", "/orders", {
      body: '{"orders": [], "__proto__": {"x": 1}}',
      headers: json,
    });
    expectError(top, 400, "body.__proto__:");
    const nested = await api.call("POST", "/orders", {
      body: '{"orders": [{"constructor": {"prototype": 1}}]}',
      headers: json,
    });
    expectError(nested, 400, "body.orders.0.constructor:");
  });

  it("names the content type actually sent", async () => {
    const response = await api.call("POST", "/orders", {
      body: "{}",
      headers: { "content-type": "text/plain" },
    });
    expectError(response, 415, 'got "text/plain"');
    expectError(await api.call("POST", "/orders", { body: "{}" }), 415, "got none");
  });

  it("refuses a Content-Encoding other than identity with 415", async () => {
    const response = await api.call("POST", "/orders", {
      body: '{"orders": []}',
      headers: { ...json, "content-encoding": "gzip" },
    });
    expectError(response, 415, "content-encoding: only identity is accepted, got gzip");
  });

  it.each([
    [1e11 + 0.001, "must be at most 10,000,000,000"],
    [-1e11 - 0.001, "must be at least -10,000,000,000"],
  ])("says the amount %s is out of bounds, not that it has too many decimals", async (value, problem) => {
    const response = await api.call("POST", "/orders", { body: { orders: [order({ order_value: value })] } });
    expectError(response, 400, `body.orders.0.order_value: ${problem}`);
    expect(response.json.details.join()).not.toContain("decimal");
  });

  it("says a body that is not UTF-8 is not UTF-8", async () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x6f, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]);
    const response = await api.call("POST", "/orders", { bytes, headers: json });
    expectError(response, 400, "body: not valid UTF-8 text");
  });
});
