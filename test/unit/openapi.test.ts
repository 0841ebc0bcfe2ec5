import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../lambdas/http/openapi";
import { ROUTES, type RouteSpec } from "../../lambdas/http/routes";
import { OPENAPI_PATH, renderOpenApi } from "../../scripts/openapi";

type Operation = {
  operationId: string;
  parameters?: { name: string; in: string; required: boolean }[];
  requestBody?: unknown;
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
      expect(statuses).toEqual(
        [String(route.success.status), ...(route.errors ?? []).map(String), "500"].sort(),
      );
    },
  );

  it("has no operation that the route table does not have", () => {
    const operations = Object.values(document.paths).flatMap((methods) => Object.keys(methods));
    expect(operations).toHaveLength(Object.keys(ROUTES).length);
  });

  it("is committed fresh in docs/openapi.json (run npm run openapi after changing a route)", () => {
    expect(readFileSync(OPENAPI_PATH, "utf8")).toBe(renderOpenApi());
  });
});
