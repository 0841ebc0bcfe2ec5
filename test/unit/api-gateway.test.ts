import { describe, expect, it } from "vitest";
import { compileRoutes, matchRequest, withoutPrefix } from "../../local/api-gateway";
import type { RouteModel } from "../../local/template";

/** Local mode's API Gateway: route matching as API Gateway does it, and serving under a prefix. */

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
