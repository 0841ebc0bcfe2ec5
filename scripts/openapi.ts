/**
 * Writes docs/openapi.json from the route table, and from it the typed client's types
 * (lambdas/http/client/api-types.ts) (`npm run openapi`). `--check` exits non-zero when either
 * committed file differs, for CI.
 */
import { readFileSync, writeFileSync } from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";
import { buildOpenApiDocument } from "../lambdas/http/openapi";
import { parseCommandLine } from "../local/command-line";

export const OPENAPI_PATH = new URL("../docs/openapi.json", import.meta.url);
export const API_TYPES_PATH = new URL("../lambdas/http/client/api-types.ts", import.meta.url);

export function renderOpenApi(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

/** The client's types: openapi-typescript's output for the document, with a header saying so. */
export async function renderApiTypes(): Promise<string> {
  // A field with a default is optional to send (defaultNonNullable would make it required).
  const ast = await openapiTS(buildOpenApiDocument() as unknown as Parameters<typeof openapiTS>[0], {
    defaultNonNullable: false,
  });
  return `// Generated from docs/openapi.json by \`npm run openapi\` (openapi-typescript): do not edit.\n\n${astToString(ast)}`;
}

if (import.meta.main) {
  const { values } = parseCommandLine(
    "npm run openapi -- [options]",
    { check: { type: "boolean", help: "write nothing; fail when either file is stale" } },
    process.argv.slice(2),
  );
  const files: [URL, string][] = [
    [OPENAPI_PATH, renderOpenApi()],
    [API_TYPES_PATH, await renderApiTypes()],
  ];
  if (values.check) {
    const stale = files.filter(([path, rendered]) => readFileSync(path, "utf8") !== rendered);
    for (const [path] of stale) console.error(`${path.pathname} is stale: run npm run openapi`);
    if (stale.length > 0) process.exit(1);
    console.log("docs/openapi.json and the client's types are up to date");
  } else {
    for (const [path, rendered] of files) {
      writeFileSync(path, rendered);
      console.log(`wrote ${path.pathname}`);
    }
  }
}
