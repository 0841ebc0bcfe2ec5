import { createHash, timingSafeEqual } from "node:crypto";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy, { type MiddlewareObj } from "@middy/core";
import httpJsonBodyParser from "@middy/http-json-body-parser";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import type { z } from "zod";
import { describeIssues } from "../core/outcome";
import { type HttpFunctionName, type RouteId, type RouteSpec, type Routes, routesOf } from "../http/routes";
import { ConfigError } from "./config";
import {
  BadRequestError,
  ForbiddenError,
  HttpError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from "./http-errors";
import type { logger as sharedLogger } from "./logger";

/**
 * The HTTP side of every API function: one middy chain (errors, logger context, request checks,
 * JSON body) in front of a dispatch on the route table. Handlers receive validated, typed input
 * and return the success body; everything they throw goes through the one error middleware,
 * which exposes 4xx and hides 5xx.
 */

type Output<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;
type BodyOf<R extends RouteSpec> = R["body"] extends { schema: infer S } ? Output<S> : undefined;

export interface RouteRequest<R extends RouteSpec> {
  params: Output<R["params"]>;
  query: Output<R["query"]>;
  body: BodyOf<R>;
  /** Request headers with lower-case names. */
  headers: Record<string, string>;
  event: APIGatewayProxyEvent;
}

/** A response other than the route's success body as JSON: another status, HTML, a script. */
export class HttpReply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export type RouteHandler<R extends RouteSpec> = (
  request: RouteRequest<R>,
) => Promise<z.input<R["success"]["schema"]> | HttpReply>;

/** The handlers one function must provide: exactly its routes of the table. */
export type HandlersOf<F extends HttpFunctionName> = {
  [K in RouteId as Routes[K]["function"] extends F ? K : never]: RouteHandler<Routes[K]>;
};

export interface HttpFunctionOptions {
  logger: typeof sharedLogger;
  /** Request bodies above this many bytes are refused with 413. */
  bodyLimitBytes: number;
  /**
   * How admin routes are protected: `Authorization: Bearer <token>`, or explicitly not at all.
   * A function with admin routes and neither refuses to start: no token is never an open door.
   */
  adminAuth?: AdminAuth;
}

export type AdminAuth = { token: string } | "off";

type HttpEvent = APIGatewayProxyEvent;
type HttpResult = APIGatewayProxyResult;

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

/** Builds the Lambda handler of one API function. */
export function createHttpFunction<F extends HttpFunctionName>(
  fn: F,
  handlers: HandlersOf<F>,
  options: HttpFunctionOptions,
) {
  const table = new Map<string, { id: RouteId; route: RouteSpec }>();
  for (const [id, route] of routesOf(fn)) table.set(`${route.method} ${route.path}`, { id, route });
  const { adminAuth } = options;
  if (adminAuth === undefined && routesOf(fn).some(([, route]) => route.admin)) {
    throw new ConfigError(
      `the ${fn} function serves admin routes but has no admin token: set ADMIN_TOKEN_SECRET_ID or ADMIN_TOKEN, or ADMIN_AUTH=off to open them to anyone`,
    );
  }
  const findRoute = (event: HttpEvent) => table.get(`${event.httpMethod} ${event.resource}`);
  const jsonBodyParser = httpJsonBodyParser();

  const checkRequest: MiddlewareObj<HttpEvent, HttpResult> = {
    before: async (request) => {
      const event = request.event;
      event.headers = lowerCaseHeaders(event.headers);
      const route = findRoute(event)?.route;
      if (!route?.body || !hasBody(event)) return;
      const size = Buffer.byteLength(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
      if (size > options.bodyLimitBytes) throw new PayloadTooLargeError(options.bodyLimitBytes);
      await jsonBodyParser.before?.(request);
      // `null`, `[]` or `5` parse, but no route takes them; an optional body is left out, not null.
      const parsed: unknown = event.body;
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        const got = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : typeof parsed;
        throw new BadRequestError("request body must be a JSON object", [
          `body: expected a JSON object, got ${got}`,
        ]);
      }
    },
  };

  return middy<HttpEvent, HttpResult>()
    .use(errorResponses(options.logger))
    .use(injectLambdaContext(options.logger))
    .use(checkRequest)
    .handler(async (event) => {
      const match = findRoute(event);
      if (!match) throw new NotFoundError(`no route for ${event.httpMethod} ${event.resource}`);
      const { id, route } = match;
      if (route.admin) checkAdminToken(event.headers, adminAuth);
      const request = {
        params: validate(route.params, event.pathParameters, "path"),
        query: validate(route.query, event.queryStringParameters, "query"),
        body: validateBody(route, event),
        headers: event.headers as Record<string, string>,
        event,
      };
      const handler = (handlers as Record<RouteId, (request: unknown) => Promise<unknown>>)[id];
      const result = await handler(request);
      return result instanceof HttpReply ? toResult(result) : jsonResult(route.success.status, result);
    });
}

/** The one error middleware: 4xx with their message and details, 5xx generic and logged. */
function errorResponses(logger: HttpFunctionOptions["logger"]): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: (request) => {
      const error = toHttpError(request.error);
      if (error) {
        request.response = jsonResult(error.statusCode, { error: error.message, details: error.details });
        return;
      }
      logger.error("request failed", { error: request.error as Error });
      request.response = jsonResult(500, { error: "internal error", details: [] });
    },
  };
}

/** Our errors as they are; middy's 4xx (415 content type, 422 malformed JSON) reworded; else undefined. */
function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError)
    return error.statusCode < 500 || error.statusCode === 503 ? error : undefined;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== "number" || status >= 500) return undefined;
  if (status === 415) return new UnsupportedMediaTypeError(undefined);
  const cause = (error as { cause?: { message?: string } }).cause;
  if (status === 422)
    return new BadRequestError("malformed JSON body", [`body: ${cause?.message ?? "not valid JSON"}`]);
  return new BadRequestError((error as Error).message);
}

function validate(
  schema: z.ZodType | undefined,
  input: Record<string, string | undefined> | null,
  where: string,
) {
  if (!schema) return {};
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success)
    throw new BadRequestError("invalid request", describeIssues(parsed.error.issues, where));
  return parsed.data;
}

function validateBody(route: RouteSpec, event: HttpEvent): unknown {
  if (!route.body) return undefined;
  if (!hasBody(event)) {
    if (route.body.optional) return route.body.schema.parse({});
    throw new BadRequestError("request body is required", ["body: expected a JSON object"]);
  }
  const parsed = route.body.schema.safeParse(event.body);
  if (!parsed.success)
    throw new BadRequestError("invalid request body", describeIssues(parsed.error.issues, "body"));
  return parsed.data;
}

function checkAdminToken(headers: HttpEvent["headers"], adminAuth: AdminAuth | undefined): void {
  if (adminAuth === "off") return;
  if (adminAuth === undefined) throw new Error("admin route without admin auth"); // refused at start-up
  const adminToken = adminAuth.token;
  const authorization = headers.authorization;
  if (!authorization)
    throw new UnauthorizedError("admin token required", ["authorization: expected Bearer <token>"]);
  // Exactly `Bearer <token>`: anything after the token is not ignored but refused.
  const token = /^Bearer ([^\s]+)$/i.exec(authorization)?.[1];
  if (!token) {
    throw new UnauthorizedError("admin token required", ["authorization: expected Bearer <token>"]);
  }
  // Hashing first gives equal lengths, so the comparison takes the same time for any token.
  const digest = (text: string) => createHash("sha256").update(text).digest();
  if (!timingSafeEqual(digest(token), digest(adminToken)))
    throw new ForbiddenError("admin token not accepted");
}

function hasBody(event: HttpEvent): boolean {
  return event.body !== null && event.body !== undefined && event.body !== "";
}

function lowerCaseHeaders(headers: HttpEvent["headers"] | null): HttpEvent["headers"] {
  const result: HttpEvent["headers"] = {};
  for (const [name, value] of Object.entries(headers ?? {})) result[name.toLowerCase()] = value;
  return result;
}

function jsonResult(status: number, body: unknown): HttpResult {
  return { statusCode: status, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

function toResult(reply: HttpReply): HttpResult {
  if (typeof reply.body === "string")
    return { statusCode: reply.status, headers: reply.headers, body: reply.body };
  return {
    statusCode: reply.status,
    headers: { ...JSON_HEADERS, ...reply.headers },
    body: JSON.stringify(reply.body),
  };
}
