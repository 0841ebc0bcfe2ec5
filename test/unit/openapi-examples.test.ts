import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { apiInfo } from "../../lambdas/http/docs-routes";
import { SUCCESS_EXAMPLES } from "../../lambdas/http/examples";
import { ROUTES, type RouteId } from "../../lambdas/http/routes";
import { PROJECT_ROOT } from "../../local/synth";
import { OPENAPI_PATH } from "../../scripts/openapi";

/**
 * Every success answer in docs/openapi.json carries an example, and the example is valid by the
 * answer's own schema in the document (JSON Schema 2020-12, as OpenAPI 3.1 reads it). The
 * original's routes show its recorded answers (test/fixtures/seed-responses/) in this project's
 * shape: checked here against the recordings.
 */

type Schema = Record<string, unknown>;
interface MediaType {
  schema: Schema;
  example?: unknown;
}
interface Document {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, MediaType> }> }>
  >;
  components: { schemas: Record<string, Schema> };
}

const document = JSON.parse(readFileSync(OPENAPI_PATH, "utf8")) as Document;

/** Each success answer's media types: `GET /users 200 application/json`. */
function successAnswers(doc: Document): [string, MediaType][] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).flatMap(([method, operation]) =>
      Object.entries(operation.responses)
        .filter(([status]) => status.startsWith("2"))
        .flatMap(([status, response]) =>
          Object.entries(response.content ?? {}).map(([type, media]): [string, MediaType] => [
            `${method.toUpperCase()} ${path} ${status} ${type}`,
            media,
          ]),
        ),
    ),
  );
}

/** A validator of `doc`'s schemas: its components become the `$defs` each schema's refs point into. */
function schemaValidator(doc: Document) {
  const toDefs = (value: unknown) =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', '"#/$defs/')) as Schema;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  ajv.addKeyword("example"); // OpenAPI's annotation, allowed in its schemas
  const $defs = toDefs(doc.components.schemas);
  return (schema: Schema, value: unknown): string[] => {
    const validate = ajv.compile({ ...toDefs(schema), $defs });
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message}`);
  };
}

/** Every success answer without an example, or whose example its schema refuses, one line each. */
function exampleProblems(doc: Document): string[] {
  const problems = schemaValidator(doc);
  return successAnswers(doc).flatMap(([answer, media]) => {
    if (media.example === undefined) return [`${answer}: no example`];
    return problems(media.schema, media.example).map((problem) => `${answer}: example ${problem}`);
  });
}

interface Recorded {
  request: { method: string; path: string };
  status: number;
  body: Record<string, unknown>;
}
const recorded = (name: string) =>
  JSON.parse(
    readFileSync(join(PROJECT_ROOT, "test", "fixtures", "seed-responses", `${name}.json`), "utf8"),
  ) as Recorded;
const exampleOf = (path: string, method: string) =>
  document.paths[path]?.[method]?.responses["200"]?.content?.["application/json"]?.example as
    | Record<string, unknown>
    | undefined;

describe("the OpenAPI document's examples", () => {
  it("documents success answers for every route", () => {
    expect(successAnswers(document).length).toBeGreaterThanOrEqual(Object.keys(document.paths).length);
  });

  it("has an example of every success answer, valid by the answer's schema", () => {
    expect(exampleProblems(document)).toEqual([]);
  });

  it("names each answer whose example is missing or invalid", () => {
    const regressed = structuredClone(document);
    const media = (path: string, method: string, status = "200") => {
      const found = regressed.paths[path]?.[method]?.responses[status]?.content?.["application/json"];
      if (!found) throw new Error(`${method} ${path} has no JSON answer`);
      return found;
    };
    delete media("/stats/months", "get").example;
    media("/stats/global", "get").example = { total_orders: -1 };
    media("/users", "get").example = {
      total_spend_ranking: [],
      total_order_count_ranking: [{ position: 0 }],
    };
    regressed.components.schemas.Redrive = {
      type: "object",
      properties: { moved_count: { type: "integer" } },
      required: ["moved_count"],
    };

    expect(exampleProblems(regressed)).toEqual([
      "POST /dlq/redrive 200 application/json: example / must have required property 'moved_count'",
      "GET /users 200 application/json: example /total_order_count_ranking/0 must have required property 'user_id'",
      "GET /users 200 application/json: example /total_order_count_ranking/0 must have required property 'total_order_count'",
      "GET /users 200 application/json: example /total_order_count_ranking/0/position must be >= 1",
      "GET /stats/global 200 application/json: example / must have required property 'total_revenue'",
      "GET /stats/global 200 application/json: example / must have required property 'failed_orders'",
      "GET /stats/global 200 application/json: example / must have required property 'duplicates'",
      "GET /stats/global 200 application/json: example / must have required property 'corrected_orders'",
      "GET /stats/global 200 application/json: example / must have required property 'failed_by_reason'",
      "GET /stats/global 200 application/json: example /total_orders must be >= 0",
      "GET /stats/months 200 application/json: no example",
    ]);
  });

  it.each(Object.keys(ROUTES) as RouteId[])(
    "has an example of %s that its route's own schema accepts",
    (id) => {
      const parsed = ROUTES[id].success.schema.safeParse(SUCCESS_EXAMPLES[id]);
      expect(parsed.error?.issues ?? []).toEqual([]);
    },
  );

  it.each([
    ["produce", "/produce", "post"],
    ["users", "/users", "get"],
    ["user_stats", "/users/{user_id}/stats", "get"],
    ["stats_global", "/stats/global", "get"],
    ["stats_monthly", "/stats/monthly/{month}", "get"],
    ["clear_redis_db", "/clear_redis_db", "delete"],
  ])("shows the original's recorded %s answer on %s", (name, path, method) => {
    expect(exampleOf(path, method)).toMatchObject(recorded(name).body);
  });

  it("shows the original's consumer log lines, one entry per order (the original's Received lines left out)", () => {
    const lines = (recorded("consumer_logs").body.logs as { timestamp: string; message: string }[]).map(
      ({ timestamp, message }) => `${timestamp} ${message}`,
    );
    const example = exampleOf("/consumer_logs", "get") as { logs: { timestamp: string; message: string }[] };
    expect(example.logs.length).toBeGreaterThan(0);
    for (const entry of example.logs) expect(lines).toContain(`${entry.timestamp} ${entry.message}`);
  });

  it("shows GET /api as this project answers the original's fields: its status, message and endpoint keys", () => {
    const original = recorded("api").body as {
      status: number;
      message: string;
      endpoints: Record<string, string>;
    };
    const example = exampleOf("/api", "get") as { endpoints: Record<string, string>; routes: unknown[] };
    expect(example).toMatchObject({ status: original.status, message: original.message });
    expect(Object.keys(example.endpoints)).toEqual(Object.keys(original.endpoints));
    // Each line as GET /api answers it today.
    const answer = apiInfo();
    expect(answer.endpoints).toMatchObject(example.endpoints);
    expect(answer).toMatchObject({
      ...example,
      endpoints: {},
      routes: expect.arrayContaining(example.routes),
    });
  });
});
