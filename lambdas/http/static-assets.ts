/**
 * Files the docs function serves from the project's own dependencies (never a CDN, so the docs
 * and the dashboard work offline, on LocalStack and on AWS). The stack copies each one next to
 * the function's bundle (lib/orders-stack.ts); the function resolves them like any module.
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
} as const;

export type StaticAssetName = keyof typeof STATIC_ASSETS;

export const STATIC_ASSET_NAMES = Object.keys(STATIC_ASSETS) as [StaticAssetName, ...StaticAssetName[]];
