import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { HttpReply } from "../shared/routing";
import { API_INFO, buildOpenApiDocument } from "./openapi";
import type { HandlersOf } from "./routes";
import { ROUTES, type RouteSpec } from "./routes";
import { DASHBOARD_PAGE, STATIC_ASSETS, type StaticAssetName } from "./static-assets";

/**
 * Service information, the OpenAPI document, Swagger UI and the dashboard. Their scripts and
 * stylesheets come from the project's own dependencies (static-assets.ts), never from a CDN.
 */

export interface DocsDeps {
  /** Where the dashboard's built files are (the bundle's `dashboard/` directory on Lambda). */
  dashboardDir: string;
}

export function docsHandlers(deps: DocsDeps): HandlersOf<"docs"> {
  const cache = new Map<string, string>();
  /** A served file's text, read once per execution environment. */
  const readOnce = (path: string) => {
    let text = cache.get(path);
    if (text === undefined) {
      text = readFileSync(path, "utf8");
      cache.set(path, text);
    }
    return text;
  };
  const require = createRequire(import.meta.url);
  const assetPath = (name: StaticAssetName) => {
    const asset = STATIC_ASSETS[name];
    return "module" in asset ? require.resolve(asset.module) : join(deps.dashboardDir, asset.built);
  };

  return {
    async getRoot() {
      return apiInfo();
    },

    async getApiInfo() {
      return apiInfo();
    },

    async getOpenApi() {
      return buildOpenApiDocument();
    },

    async getDocs() {
      return new HttpReply(200, DOCS_PAGE, { "content-type": "text/html; charset=utf-8" });
    },

    async getStaticAsset({ params }) {
      return new HttpReply(200, readOnce(assetPath(params.asset)), {
        "content-type": STATIC_ASSETS[params.asset].contentType,
        "cache-control": "public, max-age=86400",
      });
    },

    async getDashboard() {
      return new HttpReply(200, readOnce(join(deps.dashboardDir, DASHBOARD_PAGE)), {
        "content-type": "text/html; charset=utf-8",
      });
    },
  };
}

/**
 * `GET /api` (and `GET /`). Links are relative: the API may be mounted anywhere (a stage, a custom
 * domain's base path, LocalStack's `/_aws/execute-api/<id>/<stage>`), so none is computed here.
 */
function apiInfo() {
  const listed = (Object.values(ROUTES) as RouteSpec[]).filter((route) => route.infoKey !== null);
  return {
    // The original's three keys first, so its clients find what they read.
    status: 200 as const,
    message: "SQS Order Management API",
    endpoints: Object.fromEntries(
      listed.map((route) => [
        route.infoKey ?? route.path.slice(1),
        `${route.method} ${route.path} - ${route.summary}`,
      ]),
    ),
    service: "orders-pipeline",
    version: API_INFO.version,
    description: API_INFO.description,
    docs: "docs",
    openapi: "openapi.json",
    routes: listed.map((route) => ({ method: route.method, path: route.path, summary: route.summary })),
  };
}

/** Swagger UI. Every URL is relative to the page, so it works wherever the API is mounted. */
const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${API_INFO.title}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="static/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="static/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true });
  </script>
</body>
</html>
`;
