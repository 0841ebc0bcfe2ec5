import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES, type RouteSpec } from "../../lambdas/http/routes";
import { ErrorResponse } from "../../lambdas/http/schemas";
import { apiEvent, lambdaContext } from "../support/api";
import { startTestApi, type TestApi } from "../support/test-api";

/** Random bodies, query strings and path parameters at every route: never a 5xx, always a JSON error. */

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ name: "fuzz", adminToken: "fuzz-token", bodyLimitBytes: 16 * 1024 });
});
afterAll(() => api.close());

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom("", "0", "-1", "1e3", "NaN", "U1000", "2026-11", "%00"),
);
const jsonText = fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value));
const body = fc.oneof(
  fc.constant(null),
  text,
  jsonText,
  fc.record({ count: fc.jsonValue() }).map((value) => JSON.stringify(value)),
  fc.record({ orders: fc.array(fc.jsonValue(), { maxLength: 3 }) }).map((value) => JSON.stringify(value)),
  fc.nat({ max: 40_000 }).map((n) => `{"pad":"${"x".repeat(n)}"}`),
  fc.nat({ max: 2_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
);
const contentType = fc.option(
  fc.constantFrom(
    "application/json",
    "text/plain",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "",
  ),
  { nil: undefined },
);
const query = fc.option(fc.dictionary(fc.constantFrom("limit", "count", "x", ""), text, { maxKeys: 3 }), {
  nil: null,
});

describe.each(Object.entries(ROUTES) as [string, RouteSpec][])("%s", (_id, route) => {
  const paramNames = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);

  it("answers random input with a success or a JSON 4xx, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(...paramNames.map(() => text)),
        query,
        body,
        contentType,
        fc.option(fc.constantFrom("Bearer fuzz-token", "Bearer x", "Basic x", ""), { nil: undefined }),
        fc.boolean(),
        async (paramValues, queryValues, bodyText, type, authorization, base64) => {
          const headers: Record<string, string> = {};
          if (type !== undefined) headers["Content-Type"] = type;
          if (authorization !== undefined) headers.Authorization = authorization;
          const encoded = base64 && bodyText !== null;
          const event = apiEvent({
            method: route.method,
            resource: route.path,
            path: route.path,
            pathParameters:
              paramNames.length > 0
                ? Object.fromEntries(paramNames.map((n, i) => [n, paramValues[i] ?? ""]))
                : null,
            query: queryValues,
            headers,
            body: encoded ? Buffer.from(bodyText).toString("base64") : bodyText,
            isBase64Encoded: encoded,
          });
          const handler = api.handlers[route.function];
          const response = await handler(event, lambdaContext(route.function));

          expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(500);
          if (response.statusCode >= 400) {
            const parsed = ErrorResponse.safeParse(JSON.parse(response.body));
            expect(parsed.success).toBe(true);
            expect(parsed.data?.error).not.toBe("");
            if (response.statusCode === 400) expect(parsed.data?.details.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: route.function === "producer" ? 60 : 120 },
    );
  });
});
