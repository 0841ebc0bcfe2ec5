import { createHash, randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent, SQSEvent } from "aws-lambda";
import { createOrderGenerator } from "../lambdas/core/generator";
import { ROUTES, type RouteSpec } from "../lambdas/http/routes";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "../local/embedded-aws";
import { syntheticSqsRecord } from "../local/event-source";

/**
 * Events to start from, as `sam local generate-event` gives them (`npm run event`): an SQS batch
 * as the event source mapping delivers it, an API Gateway proxy event for any route of the route
 * table, the rebuild function's event. `npm run invoke` runs a function with one.
 */

/** A batch of orders made by the project's generator (about a fifth invalid), `malformed` of them not JSON. */
export function sqsEvent(
  options: { count?: number; malformed?: number; invalidRate?: number } = {},
): SQSEvent {
  const count = options.count ?? 10;
  const malformed = Math.min(options.malformed ?? 0, count);
  const generate = createOrderGenerator({ invalidRate: options.invalidRate });
  const bodies = Array.from({ length: count }, (_, i) =>
    i < count - malformed ? JSON.stringify(generate().order) : `{"order_id": "ORD-MALFORMED-${i}", not json`,
  );
  return {
    Records: bodies.map((body) => {
      const record = syntheticSqsRecord(body);
      return {
        ...record,
        md5OfBody: createHash("md5").update(body).digest("hex"),
        eventSourceARN: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:OrdersPipeline-OrderQueue`,
      };
    }),
  };
}

/** Example values for path parameters no schema example covers. */
const PARAMETER_EXAMPLES: Record<string, string> = {
  user_id: "U1001",
  month: new Date().toISOString().slice(0, 7),
  asset: "dashboard.js",
};

export interface ApiEventOptions {
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** The body's JSON text; routes with a body get an example one when it is not given. */
  body?: string;
}

/**
 * A REST proxy event for a route, named by its id (`getUserStats`) or as `METHOD /path` with the
 * table's path (`GET /users/{user_id}/stats`) or a concrete one (`GET /users/U1003/stats`).
 */
export function apiEvent(routeName: string, options: ApiEventOptions = {}): APIGatewayProxyEvent {
  const found = findRoute(routeName);
  if (!found) {
    throw new Error(
      `no route ${JSON.stringify(routeName)}; the routes: ${Object.entries(ROUTES)
        .map(([id, route]) => `${id} (${route.method} ${route.path})`)
        .join(", ")}`,
    );
  }
  const { route, params: fromPath } = found;
  const pathParameters = Object.fromEntries(
    [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name = ""]) => [
      name,
      options.params?.[name] ?? fromPath[name] ?? PARAMETER_EXAMPLES[name] ?? name,
    ]),
  );
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(pathParameters[name] ?? ""),
  );
  const body = options.body ?? (route.body ? exampleBody(route) : null);
  const headers = {
    accept: "application/json",
    "user-agent": "npm-run-event",
    ...(body === null ? {} : { "content-type": "application/json" }),
    ...options.headers,
  };
  const query = options.query && Object.keys(options.query).length > 0 ? options.query : null;
  const requestId = randomUUID();
  return {
    resource: route.path,
    path,
    httpMethod: route.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: query,
    multiValueQueryStringParameters: query
      ? Object.fromEntries(Object.entries(query).map(([name, value]) => [name, [value]]))
      : null,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    stageVariables: null,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: "local",
      authorizer: null,
      protocol: "HTTP/1.1",
      httpMethod: route.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: "127.0.0.1",
        user: null,
        userAgent: "npm-run-event",
        userArn: null,
      },
      path: `/prod${path}`,
      stage: "prod",
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: "local",
      resourcePath: route.path,
    },
    body,
    isBase64Encoded: false,
  };
}

/** The rebuild function's event: which rebuild to go on with. */
export function rebuildEvent(id: string = randomUUID()): { id: string } {
  return { id };
}

function findRoute(name: string): { route: RouteSpec; params: Record<string, string> } | undefined {
  const byId = (ROUTES as Record<string, RouteSpec>)[name];
  if (byId) return { route: byId, params: {} };
  const [method = "", path = ""] = name.trim().split(/\s+/);
  for (const route of Object.values(ROUTES) as RouteSpec[]) {
    if (route.method !== method.toUpperCase()) continue;
    if (route.path === path) return { route, params: {} };
    const names: string[] = [];
    const pattern = new RegExp(
      `^${route.path.replace(/\{(\w+)\}/g, (_, param: string) => {
        names.push(param);
        return "([^/]+)";
      })}$`,
    );
    const match = pattern.exec(path);
    if (match) {
      return {
        route,
        params: Object.fromEntries(names.map((param, i) => [param, decodeURIComponent(match[i + 1] ?? "")])),
      };
    }
  }
  return undefined;
}

/** An example body for a route that takes one: what its schema accepts. */
function exampleBody(route: RouteSpec): string {
  if (route.path === "/orders") {
    const generate = createOrderGenerator({ invalidRate: 0 });
    return JSON.stringify({ orders: [generate().order, generate().order] });
  }
  if (route.path === "/produce") return JSON.stringify({ count: 10 });
  return "{}";
}
