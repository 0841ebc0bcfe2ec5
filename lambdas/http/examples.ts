import type { z } from "zod";
import type { ROUTES } from "./routes";

/**
 * An example of every route's success answer, shown by the OpenAPI document (and so by Swagger
 * UI and generated clients) beside the answer's schema. None is made up for the occasion:
 * - the original's eight routes answer what the original recorded (test/fixtures/seed-responses/),
 *   in the shape this project answers it: its values, plus the fields this project adds;
 * - the other routes answer what local mode answered in a real run (`npm start`, orders produced
 *   and submitted, a malformed message sent to the queue, a rebuild and a redrive), cut to a few
 *   entries where the answer is a list.
 * test/unit/openapi-examples.test.ts checks each against its schema in the document, and the
 * original's against its recorded answers.
 */

type Routes = typeof ROUTES;
type SuccessOf<K extends keyof Routes> = z.output<Routes[K]["success"]["schema"]>;

const apiInfo = {
  status: 200,
  message: "SQS Order Management API",
  // The original's seven keys, as this project lists them (real paths).
  endpoints: {
    produce: "POST /produce - Generate random orders (about 20% invalid) and send them to the queue",
    consumer_logs: "GET /consumer_logs - The consumer's latest log entries, oldest first (as the original)",
    delete_redis_db: "DELETE /clear_redis_db - Delete this deployment's analytics (its key prefix only)",
    users: "GET /users - Users ranked by total spend and by order count",
    "users/{user_id}/stats": "GET /users/{user_id}/stats - One user's order count, spend and failed orders",
    "stats/global": "GET /stats/global - Totals over all orders, with failures by reason and duplicates",
    "stats/monthly/{month}": "GET /stats/monthly/{month} - A month's totals and its users by spend",
  },
  service: "orders-pipeline",
  version: "1.0.0",
  description:
    "Produce and submit orders to an SQS queue drained by a consumer Lambda, and query the analytics it keeps in Redis. Money is in currency units with at most two decimals.",
  docs: "docs",
  openapi: "openapi.json",
  routes: [
    { method: "GET", path: "/api", summary: "Service information and the list of endpoints" },
    {
      method: "POST",
      path: "/produce",
      summary: "Generate random orders (about 20% invalid) and send them to the queue",
    },
    {
      method: "GET",
      path: "/stats/global",
      summary: "Totals over all orders, with failures by reason and duplicates",
    },
  ],
} satisfies SuccessOf<"getApiInfo">;

/**
 * The figures of the original's recorded run (54 orders counted in 2026-11, 6 failed). It kept no
 * split of its failures by reason nor a count of corrected orders: those two are this project's,
 * under the original's rule that corrects a value mismatch (its log shows one).
 */
const recordedTotals = {
  total_orders: 54,
  total_revenue: 46831932.78,
  failed_orders: 6,
  duplicates: 0,
  corrected_orders: 1,
  failed_by_reason: { invalid_order_id: 2, invalid_user_id: 2, non_positive_value: 2 },
};

const recordedUserStats = [
  { user_id: "U1005", order_count: 13, total_spend: 10968810.92, failed_order_count: 0 },
  { user_id: "U1004", order_count: 12, total_spend: 10263360.81, failed_order_count: 0 },
  { user_id: "U1001", order_count: 9, total_spend: 7800532.84, failed_order_count: 1 },
];

export const SUCCESS_EXAMPLES = {
  getRoot: apiInfo,
  getApiInfo: apiInfo,
  getOpenApi: {
    openapi: "3.1.0",
    info: { title: "Orders pipeline API", version: "1.0.0" },
    servers: [{ url: ".", description: "The API that serves this document" }],
    paths: {
      "/stats/global": {
        get: {
          operationId: "getGlobalStats",
          summary: "Totals over all orders, with failures by reason and duplicates",
        },
      },
    },
  },
  getDocs:
    '<!doctype html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n  <meta name="viewport" content="width=device-width, initial-scale=1">\n  <title>Orders pipeline API</title>\n',
  getStaticAsset:
    "/* The dashboard's styles (served as static/dashboard.css). */\n:root {\n  --ink: #1f2933;\n  --muted: #616e7c;\n",
  getDashboard:
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>Orders pipeline dashboard</title>\n',
  produceOrders: {
    message: "Successfully sent 2 orders to queue",
    orders: [
      {
        order_id: "ORD9858",
        user_id: "U1000",
        order_value: 1396059.27,
        message_id: "00000000-0000-4000-8000-000000000001",
      },
      {
        order_id: "ORD3168",
        user_id: "U1002",
        order_value: 752673.17,
        message_id: "00000000-0000-4000-8000-000000000002",
      },
    ],
  },
  submitOrders: {
    accepted: 2,
    orders: [
      { order_id: "ORD-EXAMPLE-1", message_id: "b1ad7f09-8d78-4117-8b9c-b4df658044b1" },
      { order_id: "ORD-EXAMPLE-2", message_id: "804187db-8b2d-4ce1-9b4e-d199f1b0c8ee" },
    ],
  },
  // The original's lines for three orders, one entry each (the original wrote a `Received` line
  // first); the mismatched ORD4352 was counted at its items' total, as the original did.
  getConsumerLogs: {
    total_logs: 3,
    logs: [
      {
        timestamp: "2026-11-25 08:22:09",
        message: "[ERROR] Order value mismatch: 864213.51 != 1024604.41, fixing with correct value",
        recorded_at: "2026-11-25T08:22:09.000Z",
        status: "valid",
        message_id: "00000000-0000-4000-8000-000000000003",
        order_id: "ORD4352",
        user_id: "U1000",
        order_value: 1024604.41,
        corrected: true,
        computed_value: 864213.51,
      },
      {
        timestamp: "2026-11-25 08:22:09",
        message: "[USER: U1001] [ORDER: ORD8015] Processed successfully",
        recorded_at: "2026-11-25T08:22:09.000Z",
        status: "valid",
        message_id: "00000000-0000-4000-8000-000000000004",
        order_id: "ORD8015",
        user_id: "U1001",
      },
      {
        timestamp: "2026-11-25 08:22:09",
        message: "[USER: U1005] [ORDER: ORD9930] Processed successfully",
        recorded_at: "2026-11-25T08:22:09.000Z",
        status: "valid",
        message_id: "00000000-0000-4000-8000-000000000005",
        order_id: "ORD9930",
        user_id: "U1005",
      },
    ],
  },
  clearData: { message: "Redis database cleared", deleted_keys: 106 },
  getDeadLetters: {
    approximate_total: 1,
    dead_letters: [
      {
        message_id: "ec264783-5fb5-4bd3-ba74-b1ab3c9022c9",
        source_message_id: "e019ebff-066b-4543-bbfc-a341450e9d63",
        reason: "malformed",
        details:
          "order_timestamp: Invalid input: expected string, received undefined; order_value: Invalid input: expected number, received string; items: Invalid input: expected array, received undefined; shipping_address: Invalid input: expected string, received undefined; payment_method: Invalid input: expected string, received undefined",
        order_id: "ORD-EXAMPLE-3",
        receive_count: 1,
        sent_at: "2026-12-06T10:27:41.114Z",
        body: '{"order_id": "ORD-EXAMPLE-3", "user_id": "U1002", "order_value": "a lot"}',
      },
    ],
  },
  redriveDeadLetters: { moved: 1, method: "copy", finished: true },
  startRebuild: {
    status: "running",
    id: "421496a5-8384-4472-ab49-5f49f3152352",
    generation: 1,
    started_at: "2026-12-06T10:27:58.027Z",
    objects_read: 0,
    orders_read: 0,
    objects_skipped: 0,
    objects_unauthenticated: 0,
    lines_skipped: 0,
    orders_per_second: 0,
    judged_differently: 0,
    invocations: 0,
  },
  getRebuild: {
    status: "done",
    id: "421496a5-8384-4472-ab49-5f49f3152352",
    generation: 1,
    started_at: "2026-12-06T10:27:58.027Z",
    finished_at: "2026-12-06T10:28:03.314Z",
    objects_read: 7,
    orders_read: 66,
    objects_skipped: 0,
    objects_unauthenticated: 0,
    lines_skipped: 0,
    orders_per_second: 673,
    judged_differently: 0,
    invocations: 1,
  },
  getRankings: {
    total_spend_ranking: [
      { position: 1, user_id: "U1005", total_spend: 10968810.92 },
      { position: 2, user_id: "U1004", total_spend: 10263360.81 },
      { position: 3, user_id: "U1001", total_spend: 7800532.84 },
    ],
    total_order_count_ranking: [
      { position: 1, user_id: "U1005", total_order_count: 13 },
      { position: 2, user_id: "U1004", total_order_count: 12 },
      { position: 3, user_id: "U1001", total_order_count: 9 },
    ],
  },
  getUserStats: { user_id: "U1005", order_count: 13, total_spend: 10968810.92, failed_order_count: 0 },
  getGlobalStats: recordedTotals,
  getMonthlyStats: {
    month: "2026-11",
    ...recordedTotals,
    user_count: 6,
    user_stats: recordedUserStats,
  },
  getMonthTotals: {
    months: [
      {
        month: "2026-10",
        total_orders: 17,
        total_revenue: 12322512.8,
        failed_orders: 6,
        duplicates: 0,
        corrected_orders: 0,
        failed_by_reason: { non_positive_value: 3, value_mismatch: 2, invalid_user_id: 1 },
      },
      {
        month: "2026-11",
        total_orders: 14,
        total_revenue: 12511229.94,
        failed_orders: 7,
        duplicates: 1,
        corrected_orders: 0,
        failed_by_reason: {
          invalid_user_id: 2,
          value_mismatch: 2,
          invalid_order_id: 2,
          non_positive_value: 1,
        },
      },
      {
        month: "2026-12",
        total_orders: 4,
        total_revenue: 3133156.59,
        failed_orders: 1,
        duplicates: 0,
        corrected_orders: 0,
        failed_by_reason: { value_mismatch: 1 },
      },
    ],
  },
  getMonths: { months: ["2026-09", "2026-10", "2026-11", "2026-12"] },
  getQueueStats: { queue: { messages: 0, in_flight: 0 }, dead_letter_queue: { messages: 1, in_flight: 0 } },
  getHealth: {
    status: "ok",
    checks: {
      redis: { ok: true, latency_ms: 11 },
      queue: { ok: true, latency_ms: 11, approximate_messages: 0 },
    },
  },
} satisfies { [K in keyof Routes]: SuccessOf<K> };
