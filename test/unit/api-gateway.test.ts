import { describe, expect, it } from "vitest";
import { compileRoutes, matchRequest, toProxyResult, withoutPrefix } from "../../local/api-gateway";
import type { RouteModel } from "../../local/template";

/**
 * Local mode's API Gateway: route matching as API Gateway does it, serving under a prefix, and
 * reading a proxy integration's answer.
 */

const route = (method: string, path: string): RouteModel => ({
  method,
  path,
  functionLogicalId: `fn ${path}`,
});
const compiled = compileRoutes([
  route("GET", "/"),
  route("GET", "/users/{user_id}/stats"),
  route("GET", "/users/top/stats"),
  route("GET", "/static/{asset}"),
]);

describe("matchRequest", () => {
  it("matches the root resource", () => {
    expect(matchRequest(compiled, "GET", "/")?.route.path).toBe("/");
  });

  it("prefers literal segments over parameters and decodes parameters", () => {
    expect(matchRequest(compiled, "GET", "/users/top/stats")?.route.path).toBe("/users/top/stats");
    expect(matchRequest(compiled, "GET", "/users/U%201/stats")).toEqual({
      route: expect.objectContaining({ path: "/users/{user_id}/stats" }),
      pathParameters: { user_id: "U 1" },
    });
  });

  it("matches neither another method nor a deeper path", () => {
    expect(matchRequest(compiled, "POST", "/")).toBeUndefined();
    expect(matchRequest(compiled, "GET", "/static/a/b")).toBeUndefined();
  });
});

describe("withoutPrefix", () => {
  const prefix = "/_aws/execute-api/abc123/prod";

  it("gives the path below the prefix, and / for the prefix itself", () => {
    expect(withoutPrefix(`${prefix}/stats/global`, prefix)).toBe("/stats/global");
    expect(withoutPrefix(`${prefix}/`, prefix)).toBe("/");
    expect(withoutPrefix(prefix, prefix)).toBe("/");
  });

  it("refuses paths outside the prefix, including look-alikes", () => {
    expect(withoutPrefix("/stats/global", prefix)).toBeUndefined();
    expect(withoutPrefix(`${prefix}x/stats`, prefix)).toBeUndefined();
  });

  it("leaves every path alone without a prefix", () => {
    expect(withoutPrefix("/stats/global", "")).toBe("/stats/global");
  });
});

describe("toProxyResult", () => {
  it("takes the status, the headers (single and multi-value) and the body", () => {
    expect(
      toProxyResult({
        statusCode: 201,
        headers: { "content-type": "application/json", "x-count": 3 },
        multiValueHeaders: { "set-cookie": ["a=1", "b=2"] },
        body: '{"ok":true}',
      }),
    ).toEqual({
      status: 201,
      headers: { "content-type": "application/json", "x-count": "3", "set-cookie": ["a=1", "b=2"] },
      body: '{"ok":true}',
    });
  });

  it("decodes a base64 body, as API Gateway does for binary answers", () => {
    const result = toProxyResult({
      statusCode: 200,
      body: Buffer.from([0xff, 0x00]).toString("base64"),
      isBase64Encoded: true,
    });
    expect(result?.body).toEqual(Buffer.from([0xff, 0x00]));
  });

  it("gives an empty body when the function returns none", () => {
    expect(toProxyResult({ statusCode: 204 })).toEqual({ status: 204, headers: {}, body: "" });
  });

  it.each([
    ["nothing", undefined],
    ["a string", "ok"],
    ["no status code", { body: "x" }],
    ["a status code that is text", { statusCode: "200" }],
    ["a status code out of range", { statusCode: 600 }],
  ])("refuses %s, which API Gateway answers with 502", (_label, result) => {
    expect(toProxyResult(result)).toBeUndefined();
  });
});
