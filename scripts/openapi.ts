/**
 * Writes docs/openapi.json from the route table (`npm run openapi`). `--check` exits non-zero
 * when the committed file differs, for CI.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildOpenApiDocument } from "../lambdas/http/openapi";

export const OPENAPI_PATH = new URL("../docs/openapi.json", import.meta.url);

export function renderOpenApi(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { check: { type: "boolean", default: false } } });
  const rendered = renderOpenApi();
  if (values.check) {
    const current = readFileSync(OPENAPI_PATH, "utf8");
    if (current !== rendered) {
      console.error("docs/openapi.json is stale: run npm run openapi");
      process.exit(1);
    }
    console.log("docs/openapi.json is up to date");
  } else {
    writeFileSync(OPENAPI_PATH, rendered);
    console.log(`wrote ${OPENAPI_PATH.pathname}`);
  }
}
