import { z } from "zod";
import type { RouteSpec as BaseRouteSpec, HandlersFor } from "../shared/routing";
import {
  ApiInfoResponse,
  ClearResponse,
  ConsumerLogsResponse,
  DeadLettersResponse,
  GlobalStatsResponse,
  HealthResponse,
  HtmlPage,
  JsonDocument,
  MonthlyStatsResponse,
  MonthParam,
  MonthsResponse,
  MonthTotalsResponse,
  ProduceRequest,
  ProduceResponse,
  QueueStatsResponse,
  queryInt,
  RankingsResponse,
  RebuildQuery,
  RebuildResponse,
  RedriveResponse,
  SubmitOrdersRequest,
  SubmitOrdersResponse,
  UserIdParam,
  UserStatsResponse,
} from "./schemas";
import { STATIC_ASSET_NAMES } from "./static-assets";

/**
 * The route table: the one description of the HTTP API. The CDK stack makes one API Gateway
 * method per route, wired to the route's function; each function dispatches on it; the OpenAPI
 * document and the tests are generated from it. Adding a route here is the whole of adding it.
 */

/** The Lambda functions behind the API, one per group of routes. */
const HTTP_FUNCTIONS = ["docs", "producer", "stats", "admin"] as const;
export type HttpFunctionName = (typeof HTTP_FUNCTIONS)[number];

/** A route of this app: served by one of its functions, under one of its tags. */
export interface RouteSpec extends BaseRouteSpec {
  function: HttpFunctionName;
  tag: "orders" | "stats" | "admin" | "meta";
}

export const ROUTES = {
  getRoot: {
    method: "GET",
    path: "/",
    function: "docs",
    summary: "The same as GET /api: what the bare invoke URL answers",
    tag: "meta",
    success: { status: 200, schema: ApiInfoResponse },
    infoKey: null,
  },
  getApiInfo: {
    method: "GET",
    path: "/api",
    function: "docs",
    summary: "Service information and the list of endpoints",
    tag: "meta",
    success: { status: 200, schema: ApiInfoResponse },
  },
  getOpenApi: {
    method: "GET",
    path: "/openapi.json",
    function: "docs",
    summary: "This API's OpenAPI 3.1 document",
    tag: "meta",
    success: { status: 200, schema: JsonDocument },
  },
  getDocs: {
    method: "GET",
    path: "/docs",
    function: "docs",
    summary: "Interactive API documentation (Swagger UI, served by the stack itself)",
    tag: "meta",
    success: { status: 200, schema: HtmlPage, contentType: "text/html" },
  },
  getStaticAsset: {
    method: "GET",
    path: "/static/{asset}",
    function: "docs",
    summary: "Scripts and stylesheets of the docs and the dashboard (from the project's own dependencies)",
    tag: "meta",
    params: z.object({ asset: z.enum(STATIC_ASSET_NAMES) }),
    query: z.object({
      v: z.string().max(64).optional().meta({
        description:
          "The asset's content hash, as the pages link it: with the current one the answer may be cached for a year",
      }),
    }),
    infoKey: null,
    success: { status: 200, schema: z.string(), contentType: "text/plain" },
    errors: [400],
  },
  getDashboard: {
    method: "GET",
    path: "/dashboard",
    function: "docs",
    summary: "The pipeline at a glance: figures, rankings, months, failures, queues and logs, refreshed live",
    tag: "meta",
    success: { status: 200, schema: HtmlPage, contentType: "text/html" },
  },
  produceOrders: {
    method: "POST",
    path: "/produce",
    function: "producer",
    summary: "Generate random orders (about 20% invalid) and send them to the queue",
    tag: "orders",
    body: { schema: ProduceRequest, optional: true },
    success: { status: 200, schema: ProduceResponse },
    // 404: off in this deployment (stack parameter produce, off by default on AWS).
    errors: [400, 404, 413, 415, 503],
  },
  submitOrders: {
    method: "POST",
    path: "/orders",
    function: "producer",
    summary: "Queue 1-100 orders; the consumer applies the business rules",
    tag: "orders",
    body: { schema: SubmitOrdersRequest },
    success: { status: 202, schema: SubmitOrdersResponse },
    errors: [400, 413, 415, 503],
  },
  getConsumerLogs: {
    method: "GET",
    path: "/consumer_logs",
    function: "stats",
    summary: "The consumer's latest log entries, oldest first (as the original)",
    tag: "stats",
    query: z.object({
      limit: queryInt({
        min: 1,
        max: 1000,
        default: 100,
        description: "How many of the latest entries to answer",
      }),
    }),
    success: { status: 200, schema: ConsumerLogsResponse },
    errors: [400],
  },
  clearData: {
    method: "DELETE",
    path: "/clear_redis_db",
    function: "admin",
    summary: "Delete this deployment's analytics (its key prefix only)",
    tag: "admin",
    infoKey: "delete_redis_db", // the original's key (its listing had the path wrong too)
    admin: true,
    success: { status: 200, schema: ClearResponse },
    errors: [401, 403],
  },
  getDeadLetters: {
    method: "GET",
    path: "/dlq",
    function: "admin",
    summary: "The dead letters with their reason (read, not removed: each read raises their receive count)",
    tag: "admin",
    admin: true,
    query: z.object({
      limit: queryInt({ min: 1, max: 100, default: 10, description: "How many dead letters to read" }),
    }),
    success: { status: 200, schema: DeadLettersResponse },
    errors: [400, 401, 403, 503],
  },
  redriveDeadLetters: {
    method: "POST",
    path: "/dlq/redrive",
    function: "admin",
    summary: "Move the dead letters back to the order queue",
    tag: "admin",
    admin: true,
    success: { status: 200, schema: RedriveResponse },
    errors: [401, 403, 503],
  },
  startRebuild: {
    method: "POST",
    path: "/admin/rebuild",
    function: "admin",
    summary:
      "Rebuild every figure from the order archive (after Redis lost its data); answers at once, GET shows progress. A rebuild that would count fewer orders than the figures hold is refused unless forced",
    tag: "admin",
    admin: true,
    query: RebuildQuery,
    success: { status: 202, schema: RebuildResponse },
    errors: [401, 403, 409, 503],
  },
  getRebuild: {
    method: "GET",
    path: "/admin/rebuild",
    function: "admin",
    summary: "The latest rebuild from the archive: progress, speed and outcome",
    tag: "admin",
    success: { status: 200, schema: RebuildResponse },
    errors: [503],
  },
  getRankings: {
    method: "GET",
    path: "/users",
    function: "stats",
    summary: "Users ranked by total spend and by order count",
    tag: "stats",
    query: z.object({
      limit: queryInt({ min: 1, max: 100, default: 10, description: "How many users each ranking lists" }),
    }),
    success: { status: 200, schema: RankingsResponse },
    errors: [400],
  },
  getUserStats: {
    method: "GET",
    path: "/users/{user_id}/stats",
    function: "stats",
    summary: "One user's order count, spend and failed orders",
    tag: "stats",
    params: z.object({ user_id: UserIdParam }),
    success: { status: 200, schema: UserStatsResponse },
    errors: [400, 404],
  },
  getGlobalStats: {
    method: "GET",
    path: "/stats/global",
    function: "stats",
    summary: "Totals over all orders, with failures by reason and duplicates",
    tag: "stats",
    success: { status: 200, schema: GlobalStatsResponse },
  },
  getMonthlyStats: {
    method: "GET",
    path: "/stats/monthly/{month}",
    function: "stats",
    summary: "A month's totals and its users by spend",
    tag: "stats",
    params: z.object({ month: MonthParam }),
    query: z.object({
      limit: queryInt({
        min: 1,
        max: 1000,
        default: 100,
        description: "How many of the month's users to list",
      }),
    }),
    success: { status: 200, schema: MonthlyStatsResponse },
    errors: [400, 404],
  },
  getMonthTotals: {
    method: "GET",
    path: "/stats/monthly",
    function: "stats",
    summary: "The totals of the latest months with data, in one call (what the dashboard's chart shows)",
    tag: "stats",
    query: z.object({
      limit: queryInt({
        min: 1,
        max: 120,
        default: 12,
        description: "How many of the latest months with data to answer",
      }),
    }),
    success: { status: 200, schema: MonthTotalsResponse },
    errors: [400],
  },
  getMonths: {
    method: "GET",
    path: "/stats/months",
    function: "stats",
    summary: "Months that have data",
    tag: "stats",
    success: { status: 200, schema: MonthsResponse },
  },
  getQueueStats: {
    method: "GET",
    path: "/stats/queues",
    function: "stats",
    summary: "Messages waiting and in flight in the order queue and the dead-letter queue",
    tag: "stats",
    success: { status: 200, schema: QueueStatsResponse },
    errors: [503],
  },
  getHealth: {
    method: "GET",
    path: "/health",
    function: "stats",
    summary: "Whether Redis and the queue are reachable (503 when not)",
    tag: "meta",
    success: { status: 200, schema: HealthResponse },
    errors: [503],
  },
} as const satisfies Record<string, RouteSpec>;

type Routes = typeof ROUTES;
export type RouteId = keyof Routes;

/** The handlers one function must provide: exactly its routes of the table. */
export type HandlersOf<F extends HttpFunctionName> = HandlersFor<Routes, F>;

/**
 * Routes that put orders on the queue: behind an API key and usage plan unless the stack's
 * writeAuth=open (they cost money per call, and /produce makes a thousand orders a call).
 */
export function isWriteRoute(route: RouteSpec): boolean {
  return route.tag === "orders";
}
