/**
 * Files the docs function serves under /static (never from a CDN, so the docs and the dashboard
 * work offline, on LocalStack and on AWS):
 * - `module`: from the project's own dependencies; the stack copies each one next to the
 *   function's bundle (lib/orders-stack.ts) and the function resolves it like any module;
 * - `built`: the dashboard's own files, built into the bundle's `dashboard/` directory
 *   (lib/dashboard-build.ts).
 */
export const STATIC_ASSETS = {
  "swagger-ui.css": { module: "swagger-ui-dist/swagger-ui.css", contentType: "text/css; charset=utf-8" },
  "swagger-ui-bundle.js": {
    module: "swagger-ui-dist/swagger-ui-bundle.js",
    contentType: "text/javascript; charset=utf-8",
  },
  "uPlot.min.css": { module: "uplot/dist/uPlot.min.css", contentType: "text/css; charset=utf-8" },
  "uPlot.iife.min.js": {
    module: "uplot/dist/uPlot.iife.min.js",
    contentType: "text/javascript; charset=utf-8",
  },
  "dashboard.css": { built: "dashboard.css", contentType: "text/css; charset=utf-8" },
  "dashboard.js": { built: "dashboard.js", contentType: "text/javascript; charset=utf-8" },
} as const;

export type StaticAssetName = keyof typeof STATIC_ASSETS;

export const STATIC_ASSET_NAMES = Object.keys(STATIC_ASSETS) as [StaticAssetName, ...StaticAssetName[]];

/** The dashboard's page, built beside its script and stylesheet; served at /dashboard. */
export const DASHBOARD_PAGE = "index.html";

/** The dependency files the stack copies next to the docs function's bundle. */
export const MODULE_ASSETS = Object.values(STATIC_ASSETS).flatMap((asset) =>
  "module" in asset ? [asset.module] : [],
);
