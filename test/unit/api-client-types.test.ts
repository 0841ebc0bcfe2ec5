import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { ApiSchemas } from "../../lambdas/http/client/api-client";
import { buildOpenApiDocument } from "../../lambdas/http/openapi";
import { PROJECT_ROOT } from "../../local/synth";

/**
 * The typed client's types come from the OpenAPI document, so a changed response schema breaks
 * the build of every caller: shown here by renaming a field and compiling a caller with `tsc`.
 */

const TSC = join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");

/** Compiles a caller of GET /stats/global against types generated from `document`. */
async function compileCaller(document: Record<string, unknown>) {
  const directory = mkdtempSync(join(tmpdir(), "orders-client-types-"));
  try {
    const ast = await openapiTS(document as unknown as Parameters<typeof openapiTS>[0], {
      defaultNonNullable: false,
    });
    writeFileSync(join(directory, "api-types.ts"), astToString(ast));
    writeFileSync(
      join(directory, "caller.ts"),
      [
        'import type { paths } from "./api-types";',
        'type Answer = paths["/stats/global"]["get"]["responses"][200]["content"]["application/json"];',
        "export const ordersOf = (stats: Answer): number => stats.total_orders;",
      ].join("\n"),
    );
    return spawnSync(
      process.execPath,
      [TSC, "--noEmit", "--strict", "--skipLibCheck", join(directory, "caller.ts")],
      {
        encoding: "utf8",
      },
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

describe("the typed client", () => {
  it("types each answer as the document describes it", () => {
    const stats = {} as ApiSchemas["GlobalStats"];
    expectTypeOf(stats.total_orders).toBeNumber();
    expectTypeOf(stats.failed_by_reason).toBeObject();
    // @ts-expect-error a field the document does not have does not compile
    void stats.total_order;
  });

  it("fails the caller's build when a response field is renamed", async () => {
    const document = buildOpenApiDocument();
    expect((await compileCaller(document)).status).toBe(0);

    const renamed = structuredClone(document) as {
      components: { schemas: Record<string, { properties: Record<string, unknown>; required: string[] }> };
    };
    const stats = renamed.components.schemas.GlobalStats;
    if (!stats) throw new Error("the document has no GlobalStats schema");
    stats.properties.orders_counted = stats.properties.total_orders;
    delete stats.properties.total_orders;
    stats.required = stats.required.map((name) => (name === "total_orders" ? "orders_counted" : name));
    const build = await compileCaller(renamed);
    expect(build.status).not.toBe(0);
    expect(build.stdout).toContain("Property 'total_orders' does not exist");
  }, 60_000);
});
