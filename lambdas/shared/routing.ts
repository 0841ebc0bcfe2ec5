import type { APIGatewayProxyEvent } from "aws-lambda";
import type { z } from "zod";

/**
 * What the HTTP layer knows of a route table, whatever the app: the shape of a route and of its
 * handler. The app's own table (lambdas/http/routes.ts) is passed in; this module never imports it.
 */

export interface RouteSpec {
  method: "GET" | "POST" | "DELETE";
  /** API Gateway resource path: `{name}` marks a path parameter. */
  path: string;
  /** The function that serves the route (API Gateway integrates each method with one). */
  function: string;
  summary: string;
  tag: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** JSON request body; `optional` routes accept no body at all (their defaults apply). */
  body?: { schema: z.ZodType; optional?: boolean };
  success: { status: number; schema: z.ZodType; contentType?: string };
  /** Statuses this route answers with besides success and the generic 4xx/5xx. */
  errors?: readonly number[];
  /** Needs `Authorization: Bearer <admin token>` when an admin token is configured. */
  admin?: boolean;
  /**
   * Its name in `GET /api`'s `endpoints` object: by default the path without its leading slash;
   * `null` leaves the route out.
   */
  infoKey?: string | null;
}

export type RouteTable = Readonly<Record<string, RouteSpec>>;

type Output<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;
type BodyOf<R extends RouteSpec> = R["body"] extends { schema: infer S } ? Output<S> : undefined;

interface RouteRequest<R extends RouteSpec> {
  params: Output<R["params"]>;
  query: Output<R["query"]>;
  body: BodyOf<R>;
  /** Request headers with lower-case names. */
  headers: Record<string, string>;
  event: APIGatewayProxyEvent;
}

/** A response other than the route's success body as JSON: another status, HTML, a script. */
export class HttpReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;

  constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

type RouteHandler<R extends RouteSpec> = (
  request: RouteRequest<R>,
) => Promise<z.input<R["success"]["schema"]> | HttpReply>;

/** The handlers function `F` must provide: exactly its routes of table `T`. */
export type HandlersFor<T extends RouteTable, F extends string> = {
  [K in keyof T as T[K]["function"] extends F ? K : never]: RouteHandler<T[K]>;
};

/** The routes of a table that function `fn` serves, with their ids. */
export function routesServedBy(table: RouteTable, fn: string): [string, RouteSpec][] {
  return Object.entries(table).filter(([, route]) => route.function === fn);
}
