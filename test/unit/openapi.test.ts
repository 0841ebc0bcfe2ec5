import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../lambdas/http/openapi";
import { isWriteRoute, ROUTES, type RouteSpec } from "../../lambdas/http/routes";
import { API_TYPES_PATH, OPENAPI_PATH, renderApiTypes, renderOpenApi } from "../../scripts/openapi";

type Operation = {
  operationId: string;
  parameters?: { name: string; in: string; required: boolean }[];
  requestBody?: unknown;
  description?: string;
  responses: Record<string, unknown>;
};

const document = buildOpenApiDocument() as { paths: Record<string, Record<string, Operation>> };

describe("OpenAPI document", () => {
  it("validates as OpenAPI 3.1", async () => {
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it.each(Object.entries(ROUTES) as [string, RouteSpec][])(
    "documents %s with its parameters and responses",
    (id, route) => {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.operationId).toBe(id);
      const parameters = (operation?.parameters ?? []).map((p) => `${p.in}:${p.name}`).sort();
      const expected = [
        ...Object.keys(route.params?.shape ?? {}).map((name) => `path:${name}`),
        ...Object.keys(route.query?.shape ?? {}).map((name) => `query:${name}`),
      ].sort();
      expect(parameters).toEqual(expected);
      expect(Boolean(operation?.requestBody)).toBe(Boolean(route.body));
      const statuses = Object.keys(operation?.responses ?? {}).sort();
      // The function's own answers, and API Gateway's: 429 everywhere, 403 for a missing write key.
      const gateway = ["429", ...(isWriteRoute(route) && !(route.errors ?? []).includes(403) ? ["403"] : [])];
      expect(statuses).toEqual(
        [String(route.success.status), ...(route.errors ?? []).map(String), "500", ...gateway].sort(),
      );
      expect(operation?.description).toContain(route.summary);
    },
  );

  it("says what each operation needs, for each adminAuth and writeAuth setting", () => {
    const security = (doc: typeof document, path: string, method: string) =>
      (doc.paths[path]?.[method] as { security?: unknown } | undefined)?.security;
    expect(security(document, "/clear_redis_db", "delete")).toEqual([{ adminToken: [] }]);
    expect(security(document, "/produce", "post")).toEqual([{ writeKey: [] }]);
    expect(security(document, "/stats/global", "get")).toEqual([]);
    const open = buildOpenApiDocument({ admin: "off", write: "open" }) as typeof document;
    expect(security(open, "/clear_redis_db", "delete")).toEqual([]);
    expect(security(open, "/produce", "post")).toEqual([]);
    expect(open.paths["/produce"]?.post?.responses).not.toHaveProperty("403");
  });

  it("has no operation that the route table does not have", () => {
    const operations = Object.values(document.paths).flatMap((methods) => Object.keys(methods));
    expect(operations).toHaveLength(Object.keys(ROUTES).length);
  });

  it("is committed fresh in docs/openapi.json (run npm run openapi after changing a route)", () => {
    expect(readFileSync(OPENAPI_PATH, "utf8")).toBe(renderOpenApi());
  });

  it("has the typed client's types committed fresh beside it (npm run openapi writes both)", async () => {
    expect(readFileSync(API_TYPES_PATH, "utf8")).toBe(await renderApiTypes());
  });
});
