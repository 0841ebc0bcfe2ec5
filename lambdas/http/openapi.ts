import { z } from "zod";
import { SUCCESS_EXAMPLES } from "./examples";
import { isWriteRoute, ROUTES, type RouteId, type RouteSpec } from "./routes";
import { ErrorResponse } from "./schemas";

/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas (so it cannot
 * drift from what the handlers accept). `npm run openapi` writes it to docs/openapi.json;
 * `GET /openapi.json` serves it with the deployment's own server URL.
 */

type JsonSchema = Record<string, unknown>;

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request: `details` names each problem",
  401: "Admin token missing",
  403: "Admin token not accepted",
  404: "Not found",
  409: "Conflicts with a rebuild in progress: try again when it is done",
  413: "Request body too large",
  415: "Content type is not application/json",
  500: "Internal error (no details are given)",
  503: "A dependency (queue or Redis) is unavailable",
};

/** What API Gateway itself answers before any function runs (its own `{"message"}` body). */
const GATEWAY_TEXT = {
  403: "API Gateway refused the request: the write key (x-api-key) is missing or not accepted",
  429: "API Gateway throttled the request (the stage's rate limit, or the write key's usage plan)",
} as const;

export const API_INFO = {
  title: "Orders pipeline API",
  version: "1.0.0",
  description:
    "Produce and submit orders to an SQS queue drained by a consumer Lambda, and query the analytics it keeps in Redis. Money is in currency units with at most two decimals.",
  license: { name: "MIT", identifier: "MIT" },
  contact: { name: "The orders-pipeline project" },
} as const;

/** How the deployment protects its routes (the stack's adminAuth and writeAuth): the document says so. */
export interface ApiAuth {
  admin: "token" | "off";
  write: "apiKey" | "open";
}

/** The stack's defaults: what docs/openapi.json describes. */
const DEFAULT_API_AUTH: ApiAuth = { admin: "token", write: "apiKey" };

/**
 * The server is `.`: relative to wherever the document is served from, which is the API's own
 * base (a stage, a custom domain's base path, LocalStack's path-style URL), unknown to the code.
 * Every operation says what it needs, truthfully for `auth`: the admin token, the write key, or
 * nothing (an empty list).
 */
export function buildOpenApiDocument(auth: ApiAuth = DEFAULT_API_AUTH): Record<string, unknown> {
  const components = new ComponentSchemas();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [operationId, route] of Object.entries(ROUTES) as [RouteId, RouteSpec][]) {
    paths[route.path] ??= {};
    const security = securityOf(route, auth);
    const base = operation(operationId, route, components);
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      ...base,
      description: describe(route, security),
      security,
      responses: { ...(base.responses as object), ...gatewayResponses(route, auth, components) },
    };
  }
  return {
    openapi: "3.1.0",
    info: API_INFO,
    servers: [{ url: ".", description: "The API that serves this document" }],
    tags: [
      { name: "orders", description: "Put orders on the queue" },
      { name: "stats", description: "Analytics kept by the consumer" },
      { name: "admin", description: "Maintenance" },
      { name: "meta", description: "Service information, documentation and health" },
    ],
    paths,
    components: {
      schemas: components.all(),
      securitySchemes: {
        adminToken: {
          type: "http",
          scheme: "bearer",
          description: "The admin token (in Secrets Manager on AWS; printed by npm start)",
        },
        writeKey: {
          type: "apiKey",
          in: "header",
          name: "x-api-key",
          description: "The write routes' API key, under a usage plan (stack parameter writeAuth=apiKey)",
        },
      },
    },
  };
}

function operation(
  operationId: RouteId,
  route: RouteSpec,
  components: ComponentSchemas,
): Record<string, unknown> {
  const parameters = [
    ...parametersOf(route.params, "path", components),
    ...parametersOf(route.query, "query", components),
  ];
  const errorRef = components.add(ErrorResponse, "output");
  const responses: Record<string, unknown> = {
    [route.success.status]: {
      description: "Success",
      content: {
        [route.success.contentType ?? "application/json"]: {
          schema: components.add(route.success.schema, "output"),
          example: SUCCESS_EXAMPLES[operationId],
        },
      },
    },
  };
  for (const status of [...(route.errors ?? []), 500]) {
    responses[status] = {
      description: ERROR_TEXT[status] ?? "Error",
      content: { "application/json": { schema: errorRef } },
    };
  }
  return {
    operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: !route.body.optional,
            content: { "application/json": { schema: components.add(route.body.schema, "input") } },
          },
        }
      : {}),
    responses,
  };
}

/** An operation's description: its summary, who may call it, and what API Gateway may answer first. */
function describe(route: RouteSpec, security: Record<string, string[]>[]): string {
  const who =
    security.length === 0
      ? "Open to anyone."
      : "adminToken" in (security[0] ?? {})
        ? "Needs the admin token (`Authorization: Bearer <token>`); every attempt is written to the audit trail."
        : "Needs the write key (`x-api-key`).";
  return `${route.summary}. ${who} API Gateway answers 429 when the stage (or the write key's usage plan) throttles.`;
}

/** The answers API Gateway gives itself: 429 on every route; 403 for a missing write key. */
function gatewayResponses(
  route: RouteSpec,
  auth: ApiAuth,
  components: ComponentSchemas,
): Record<string, unknown> {
  const answer = (description: string) => ({
    description,
    content: { "application/json": { schema: components.add(GatewayErrorResponse, "output") } },
  });
  return {
    ...(isWriteRoute(route) && auth.write === "apiKey" ? { 403: answer(GATEWAY_TEXT[403]) } : {}),
    429: answer(GATEWAY_TEXT[429]),
  };
}

const GatewayErrorResponse = z
  .object({ message: z.string().meta({ example: "Too Many Requests" }) })
  .meta({ id: "GatewayError", description: "API Gateway's own answer, before any function runs" });

/** What a route needs under these settings: a scheme, or nothing (`[]`, said explicitly). */
function securityOf(route: RouteSpec, auth: ApiAuth): Record<string, string[]>[] {
  if (route.admin) return auth.admin === "token" ? [{ adminToken: [] }] : [];
  if (isWriteRoute(route)) return auth.write === "apiKey" ? [{ writeKey: [] }] : [];
  return [];
}

function parametersOf(
  schema: z.ZodObject | undefined,
  location: "path" | "query",
  components: ComponentSchemas,
) {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const fieldSchema = components.add(field as z.ZodType, "input");
    const { description, example, ...rest } = fieldSchema as JsonSchema;
    return {
      name,
      in: location,
      required: location === "path" || !(field as z.ZodType).safeParse(undefined).success,
      ...(description ? { description } : {}),
      ...(example !== undefined ? { example } : {}),
      schema: rest,
    };
  });
}

/** Collects zod schemas with an id (`.meta({ id })`) into components, refs everywhere else. */
class ComponentSchemas {
  private readonly schemas: Record<string, JsonSchema> = {};

  add(schema: z.ZodType, io: "input" | "output"): JsonSchema {
    const {
      $schema: _,
      $defs = {},
      ...root
    } = z.toJSONSchema(schema, {
      io,
      target: "draft-2020-12",
      unrepresentable: "any",
    }) as JsonSchema & { $defs?: Record<string, JsonSchema> };
    const renamed = new Map<string, string>();
    for (const [id, definition] of Object.entries($defs)) {
      const existing = this.schemas[id];
      // The same id can differ between input and output (defaults make fields optional on input).
      const name = existing && JSON.stringify(existing) !== JSON.stringify(definition) ? `${id}Input` : id;
      renamed.set(id, name);
      this.schemas[name] = definition;
    }
    for (const name of renamed.values())
      this.schemas[name] = rewriteRefs(this.schemas[name], renamed) as JsonSchema;
    return rewriteRefs(root, renamed) as JsonSchema;
  }

  all(): Record<string, JsonSchema> {
    return Object.fromEntries(Object.entries(this.schemas).sort(([a], [b]) => a.localeCompare(b)));
  }
}

function rewriteRefs(value: unknown, renamed: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, renamed));
  if (typeof value !== "object" || value === null) return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === "$ref" && typeof child === "string" && child.startsWith("#/$defs/")) {
      const id = child.slice("#/$defs/".length);
      result[key] = `#/components/schemas/${renamed.get(id) ?? id}`;
    } else {
      result[key] = rewriteRefs(child, renamed);
    }
  }
  return result;
}
