import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { ROUTES, type RouteId, type RouteSpec } from "../../lambdas/http/routes";
import { compileRoutes, matchRequest } from "../../local/api-gateway";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "../../local/embedded-aws";

/** Fixture factories for API Gateway REST proxy events, and a caller that routes like API Gateway. */

export interface ApiEventInit {
  method: string;
  /** The resource template, e.g. `/users/{user_id}/stats`. */
  resource: string;
  /** The concrete path, e.g. `/users/U1000/stats`. */
  path: string;
  pathParameters?: Record<string, string> | null;
  query?: Record<string, string> | null;
  headers?: Record<string, string>;
  body?: string | null;
  isBase64Encoded?: boolean;
  stage?: string;
}

export function apiEvent(init: ApiEventInit): APIGatewayProxyEvent {
  const stage = init.stage ?? "prod";
  return {
    httpMethod: init.method,
    resource: init.resource,
    path: init.path,
    pathParameters: init.pathParameters ?? null,
    queryStringParameters: init.query ?? null,
    multiValueQueryStringParameters: init.query
      ? Object.fromEntries(Object.entries(init.query).map(([k, v]) => [k, [v]]))
      : null,
    headers: init.headers ?? {},
    multiValueHeaders: Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k, [v]])),
    body: init.body ?? null,
    isBase64Encoded: init.isBase64Encoded ?? false,
    stageVariables: null,
    requestContext: {
      accountId: "000000000000",
      apiId: "testapi",
      authorizer: null,
      httpMethod: init.method,
      identity: {} as APIGatewayProxyEvent["requestContext"]["identity"],
      path: `/${stage}${init.path}`,
      protocol: "HTTP/1.1",
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: "res",
      resourcePath: init.resource,
      stage,
    },
  };
}

export function lambdaContext(functionName = "test-function"): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: "256",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "test",
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON); tests check shapes with the route schemas. */
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read freely in assertions
  json: any;
}

export interface CallOptions {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** An object is sent as JSON with content-type application/json; a string is sent as is. */
  body?: unknown;
  /** Raw bytes, sent base64-encoded as API Gateway sends a binary body. */
  bytes?: Buffer;
}

/** The route table as local mode's API Gateway sees it (the route's id in place of a function). */
const compiledRoutes = compileRoutes(
  Object.entries(ROUTES).map(([id, route]) => ({
    method: route.method,
    path: route.path,
    functionLogicalId: id,
  })),
);

/** Matches a concrete path to a route of the table with local mode's own matcher, as API Gateway does. */
export function matchRoute(
  method: string,
  path: string,
): { route: RouteSpec; params: Record<string, string> } | undefined {
  const found = matchRequest(compiledRoutes, method, path);
  if (!found) return undefined;
  return { route: ROUTES[found.route.functionLogicalId as RouteId], params: found.pathParameters };
}

/** Calls the function behind `method path` with a real proxy event, as API Gateway would. */
export function apiCaller(handlers: Record<string, Handler>) {
  return async (method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> => {
    const matched = matchRoute(method, path);
    if (!matched) throw new Error(`no route for ${method} ${path}`);
    const handler = handlers[matched.route.function];
    if (!handler) throw new Error(`no handler for function ${matched.route.function}`);
    const headers = { ...(options.headers ?? {}) };
    let body: string | null = null;
    if (typeof options.body === "string") body = options.body;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["Content-Type"] ??= "application/json";
    }
    const result = await handler(
      apiEvent({
        method,
        resource: matched.route.path,
        path,
        pathParameters: Object.keys(matched.params).length > 0 ? matched.params : null,
        query: options.query ?? null,
        headers,
        body: options.bytes ? options.bytes.toString("base64") : body,
        isBase64Encoded: options.bytes !== undefined,
      }),
      lambdaContext(matched.route.function),
    );
    let json: unknown;
    try {
      json = JSON.parse(result.body);
    } catch {
      json = undefined;
    }
    return {
      status: result.statusCode,
      headers: (result.headers ?? {}) as Record<string, string>,
      text: result.body,
      json,
    };
  };
}
