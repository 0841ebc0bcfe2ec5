import { isUtf8 } from "node:buffer";
import { createHash, timingSafeEqual } from "node:crypto";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy, { type MiddlewareObj } from "@middy/core";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import httpJsonBodyParser from "@middy/http-json-body-parser";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import type { z } from "zod";
import { describeIssues } from "../core/issues";
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
import { type HandlersFor, HttpReply, type RouteSpec, type RouteTable, routesServedBy } from "./routing";

/**
 * The HTTP side of every API function: one middy chain (errors, logger context, request checks,
 * JSON body) in front of a dispatch on the route table it is given (see routing.ts). Handlers receive validated, typed input
 * and return the success body; everything they throw goes through the one error middleware,
 * which exposes 4xx and hides 5xx.
 */

export interface HttpFunctionOptions {
  logger: typeof sharedLogger;
  /** Request bodies above this many bytes are refused with 413. */
  bodyLimitBytes: number;
  /**
   * How admin routes are protected: `Authorization: Bearer <token>`, or explicitly not at all.
   * A function with admin routes and neither refuses to start: no token is never an open door.
   * The token may be a getter, so a rotated secret takes effect without a new environment.
   */
  adminAuth?: AdminAuth;
}

type AdminAuth = { token: string | (() => Promise<string>) } | "off";

type HttpEvent = APIGatewayProxyEvent;
type HttpResult = APIGatewayProxyResult;

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

/** On every answer: no content sniffing, no referrer leaves the API. */
const SECURITY_HEADERS = { "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };

/**
 * On every HTML page (the docs and the dashboard): only the API's own scripts, styles, images and
 * requests; never framed (clickjacking), no forms posted anywhere, no <base> rewriting links.
 * `scriptHashes` allow a page's own inline scripts by their SHA-256.
 */
export function pageSecurityHeaders(scriptHashes: readonly string[] = []): Record<string, string> {
  const scripts = ["'self'", ...scriptHashes.map((hash) => `'sha256-${hash}'`)].join(" ");
  return {
    "content-security-policy": [
      "default-src 'none'",
      `script-src ${scripts}`,
      // Swagger UI sets inline styles on its elements; no script can come in through a style.
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ].join("; "),
    "x-frame-options": "DENY",
  };
}

/** Builds the Lambda handler of one API function. */
export function createHttpFunction<T extends RouteTable, F extends string>(
  routes: T,
  fn: F,
  handlers: HandlersFor<T, F>,
  options: HttpFunctionOptions,
) {
  const served = routesServedBy(routes, fn);
  const table = new Map<string, { id: string; route: RouteSpec }>();
  for (const [id, route] of served) table.set(`${route.method} ${route.path}`, { id, route });
  const { adminAuth } = options;
  if (adminAuth === undefined && served.some(([, route]) => route.admin)) {
    throw new ConfigError(
      `the ${fn} function serves admin routes but has no admin token: set ADMIN_TOKEN_SECRET_ID or ADMIN_TOKEN, or ADMIN_AUTH=off to open them to anyone`,
    );
  }
  const findRoute = (event: HttpEvent) => table.get(`${event.httpMethod} ${event.resource}`);

  const handler = middy<HttpEvent, HttpResult>()
    .use(errorResponses(options.logger))
    .use(injectLambdaContext(options.logger))
    .use(httpHeaderNormalizer())
    .use(requestChecks(findRoute, options.bodyLimitBytes))
    .use(auditTrail(options.logger, (event) => findRoute(event)))
    .handler(async (event) => {
      const match = findRoute(event);
      if (!match) throw new NotFoundError(`no route for ${event.httpMethod} ${event.resource}`);
      const { id, route } = match;
      if (route.admin) await checkAdminToken(event.headers, adminAuth);
      const request = {
        params: validate(route.params, event.pathParameters, "path"),
        query: validate(route.query, event.queryStringParameters, "query"),
        body: validateBody(route, event),
        headers: event.headers as Record<string, string>,
        event,
      };
      const handler = (handlers as Record<string, (request: unknown) => Promise<unknown>>)[id];
      if (!handler) throw new NotFoundError(`no handler for ${event.httpMethod} ${event.resource}`);
      const result = await handler(request);
      return result instanceof HttpReply ? toResult(result) : jsonResult(route.success.status, result);
    });
  // Every answer, errors included, leaves with the security headers.
  return async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const result = await handler(event, context);
    return { ...result, headers: { ...result.headers, ...SECURITY_HEADERS } };
  };
}

/**
 * Checks a request before its handler: a body the route takes within the
 * size limit, identity-encoded, not nested too deep, and a JSON object without prototype keys.
 */
function requestChecks(
  findRoute: (event: HttpEvent) => { route: RouteSpec } | undefined,
  bodyLimitBytes: number,
): MiddlewareObj<HttpEvent, HttpResult> {
  const jsonBodyParser = httpJsonBodyParser();
  return {
    before: async (request) => {
      const event = request.event;
      event.headers ??= {}; // (lower-cased by middy's header normalizer before this)
      const route = findRoute(event)?.route;
      if (!route?.body || !hasBody(event)) return;
      const size = Buffer.byteLength(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
      if (size > bodyLimitBytes) throw new PayloadTooLargeError(bodyLimitBytes);
      checkEncoding(event);
      const raw = event.body ?? "";
      const depth = nestingDepth(raw, MAX_NESTING);
      if (depth > MAX_NESTING)
        throw new BadRequestError("request body nested too deep", [
          `body: nested more than ${MAX_NESTING} levels deep`,
        ]);
      try {
        await jsonBodyParser.before?.(request);
      } catch (error) {
        throw forbiddenKeyError(raw) ?? error;
      }
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
}

/**
 * The audit trail: one structured log line for every request to an admin route (clear, dead
 * letters read or redriven, rebuild started), allowed or refused, with who asked; never the token.
 */
function auditTrail(
  logger: HttpFunctionOptions["logger"],
  findRoute: (event: HttpEvent) => { id: string; route: RouteSpec } | undefined,
): MiddlewareObj<HttpEvent, HttpResult> {
  const audit = (event: HttpEvent, status: number) => {
    const match = findRoute(event);
    if (!match?.route.admin) return;
    logger.info("audit", {
      audit: {
        action: match.id,
        route: `${event.httpMethod} ${event.resource}`,
        outcome: status < 400 ? "allowed" : status === 401 || status === 403 ? "refused" : "failed",
        status,
        request_id: event.requestContext?.requestId,
        source_ip: event.requestContext?.identity?.sourceIp,
        user_agent: event.headers?.["user-agent"],
      },
    });
  };
  return {
    after: (request) => audit(request.event, request.response?.statusCode ?? 200),
    onError: (request) => {
      const status = (request.error as { statusCode?: unknown } | null)?.statusCode;
      audit(request.event, typeof status === "number" ? status : 500);
    },
  };
}

/** Deeper than any order (an order's items are two levels down): a deeper body is refused unread. */
const MAX_NESTING = 32;
/** Keys the body parser refuses: they could reach object prototypes. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Only identity-encoded bodies (API Gateway does not decompress); a base64 body (a binary media
 * type, or bytes that are not UTF-8) must decode to UTF-8 text.
 */
function checkEncoding(event: HttpEvent): void {
  const encoding = (event.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding !== "identity") {
    throw new UnsupportedMediaTypeError(undefined, [
      `content-encoding: only identity is accepted, got ${encoding}`,
    ]);
  }
  if (!event.isBase64Encoded) return;
  const bytes = Buffer.from(event.body ?? "", "base64");
  if (!isUtf8(bytes)) throw new BadRequestError("request body is not UTF-8", ["body: not valid UTF-8 text"]);
  event.body = bytes.toString("utf8");
  event.isBase64Encoded = false;
}

/** How deep arrays and objects nest in JSON text, counted up to `limit` + 1 (strings skipped). */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 92)
        i++; // backslash: skip the escaped character
      else if (char === 34) inString = false;
    } else if (char === 34) inString = true;
    else if (char === 123 || char === 91) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (char === 125 || char === 93) depth--;
  }
  return deepest;
}

/** When the body parses but the body parser refused it, the key path it refused for. */
function forbiddenKeyError(raw: string): HttpError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined; // really not JSON: the parser's own message says where
  }
  const path = forbiddenKeyPath(parsed, ["body"]);
  return path
    ? new BadRequestError("forbidden key in request body", [
        `${path}: a key that could reach object prototypes (__proto__, constructor, prototype) is not accepted`,
      ])
    : undefined;
}

function forbiddenKeyPath(value: unknown, path: string[]): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) return [...path, key].join(".");
    const found = forbiddenKeyPath(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/** The one error middleware: 4xx with their message and details, 5xx generic and logged. */
function errorResponses(logger: HttpFunctionOptions["logger"]): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: (request) => {
      const error = toHttpError(request.error, request.event?.headers?.["content-type"]);
      if (error) {
        request.response = jsonResult(error.statusCode, {
          error: error.message,
          details: error.details,
          ...error.data,
        });
        return;
      }
      logger.error("request failed", { error: request.error as Error });
      request.response = jsonResult(500, { error: "internal error", details: [] });
    },
  };
}

/** Our errors as they are; middy's 4xx (415 content type, 422 malformed JSON) reworded; else undefined. */
function toHttpError(error: unknown, contentType: string | undefined): HttpError | undefined {
  if (error instanceof HttpError)
    return error.statusCode < 500 || error.statusCode === 503 ? error : undefined;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== "number" || status >= 500) return undefined;
  if (status === 415) return new UnsupportedMediaTypeError(contentType);
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

async function checkAdminToken(
  headers: HttpEvent["headers"],
  adminAuth: AdminAuth | undefined,
): Promise<void> {
  if (adminAuth === "off") return;
  if (adminAuth === undefined) throw new Error("admin route without admin auth"); // refused at start-up
  const adminToken = typeof adminAuth.token === "string" ? adminAuth.token : await adminAuth.token();
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

function jsonResult(status: number, body: unknown): HttpResult {
  return { statusCode: status, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

function toResult(reply: HttpReply): HttpResult {
  if (typeof reply.body === "string")
    return { statusCode: reply.status, headers: reply.headers, body: reply.body };
  // Bytes (a compressed asset) travel base64-encoded; API Gateway sends them on as binary.
  if (Buffer.isBuffer(reply.body))
    return {
      statusCode: reply.status,
      headers: reply.headers,
      body: reply.body.toString("base64"),
      isBase64Encoded: true,
    };
  return {
    statusCode: reply.status,
    headers: { ...JSON_HEADERS, ...reply.headers },
    body: JSON.stringify(reply.body),
  };
}
