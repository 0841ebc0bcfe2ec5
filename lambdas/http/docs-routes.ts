import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type HandlersOf, HttpReply } from "../shared/http";
import { API_INFO, buildOpenApiDocument } from "./openapi";
import { ROUTES } from "./routes";

/**
 * Service information, the OpenAPI document and Swagger UI. Swagger UI's files come from the
 * swagger-ui-dist dependency (copied next to the bundle at synth), never from a CDN, so the docs
 * work offline, on LocalStack and on AWS.
 */

const ASSET_TYPES = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
} as const;
type AssetName = keyof typeof ASSET_TYPES;

const assetCache = new Map<AssetName, string>();

function readAsset(name: AssetName): string {
  let text = assetCache.get(name);
  if (text === undefined) {
    const require = createRequire(import.meta.url);
    text = readFileSync(require.resolve(`swagger-ui-dist/${name}`), "utf8");
    assetCache.set(name, text);
  }
  return text;
}

export function docsHandlers(): HandlersOf<"docs"> {
  return {
    async getApiInfo({ basePath }) {
      return {
        service: "orders-pipeline",
        version: API_INFO.version,
        description: API_INFO.description,
        docs: `${basePath}/docs`,
        openapi: `${basePath}/openapi.json`,
        endpoints: Object.values(ROUTES)
          .filter((route) => route.path !== "/docs/{asset}")
          .map((route) => ({ method: route.method, path: route.path, summary: route.summary })),
      };
    },

    async getOpenApi({ basePath }) {
      return buildOpenApiDocument(basePath || "/");
    },

    async getDocs({ basePath }) {
      return new HttpReply(200, docsPage(basePath), { "content-type": "text/html; charset=utf-8" });
    },

    async getDocsAsset({ params }) {
      return new HttpReply(200, readAsset(params.asset), {
        "content-type": ASSET_TYPES[params.asset],
        "cache-control": "public, max-age=86400",
      });
    },
  };
}

function docsPage(basePath: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${API_INFO.title}</title>
  <link rel="stylesheet" href="${basePath}/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${basePath}/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: "${basePath}/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
  </script>
</body>
</html>
`;
}
